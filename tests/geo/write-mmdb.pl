#!/usr/bin/perl
# SPDX-License-Identifier: GPL-2.0
# A small country database in MaxMind DB format (Debian's
# libmaxmind-db-writer-perl), as GeoLite2-Country lays it out: an IPv6 tree
# with IPv4 under ::/96 (aliased at ::ffff:0:0/96, 2001::/32, 2002::/16),
# records with country.iso_code, or only registered_country.iso_code.
#
#   write-mmdb.pl OUT [SEED|-] [moved]
#
# Fixed networks (tests/geo/run.sh sends packets from and around them):
#   CN 192.0.2.0/25, 198.18.0.0/15, 2001:db8:1::/48
#   DE 192.0.2.128/25
#   RU 2001:db8:2::/48 (registered_country only)
#   JP 203.0.113.0/24 (IPv4 only)
# and, with SEED, 200 random networks of eight countries in 10.0.0.0/8 and
# fd00::/16, printed on stdout (walkcheck.py checks the walk against
# mmdblookup on them). With "moved", 192.0.2.0/24 is all DE (the CN /25
# moved away: tests/e2e/geo.sh swaps the file under the daemon).
use strict;
use warnings;
use MaxMind::DB::Writer::Tree;

my ($out, $seed, $layout) = @ARGV;
die "usage: $0 OUT [SEED|-] [moved]\n" unless defined $out;
$seed = undef if defined $seed && $seed eq '-';
my $moved = defined $layout && $layout eq 'moved';
my @drawn; # the random networks, printed on stdout

my %types = (
	country            => 'map',
	registered_country => 'map',
	iso_code           => 'utf8_string',
);
my $tree = MaxMind::DB::Writer::Tree->new(
	ip_version               => 6,
	record_size              => 24,
	database_type            => 'localin-test-Country',
	languages                => ['en'],
	description              => { en => 'localin test database' },
	map_key_type_callback    => sub { $types{ $_[0] } },
	alias_ipv6_to_ipv4       => 1,
	remove_reserved_networks => 0,
);

sub country { return { country => { iso_code => $_[0] } } }

if (defined $seed) {
	srand($seed);
	my @cc = qw(CN DE RU US BR IN FR GB);
	for my $i (1 .. 100) {
		my $len = 16 + int(rand(13));
		my $a = (10 << 24) | int(rand(1 << 24));
		$a &= ~((1 << (32 - $len)) - 1) & 0xffffffff;
		my $net = join('.', map { ($a >> (24 - 8 * $_)) & 255 } 0 .. 3);
		$tree->insert_network("$net/$len", country($cc[ int(rand(@cc)) ]));
		push @drawn, "$net/$len";
		my $len6 = 24 + int(rand(41));
		my @w = (0xfd00, map { int(rand(65536)) } 1 .. 7);
		for my $b ($len6 .. 127) {
			$w[ int($b / 16) ] &= ~(1 << (15 - $b % 16));
		}
		my $net6 = join(':', map { sprintf('%x', $_) } @w);
		$tree->insert_network("$net6/$len6", country($cc[ int(rand(@cc)) ]));
		push @drawn, "$net6/$len6";
	}
}
$tree->insert_network('192.0.2.0/25',    country($moved ? 'DE' : 'CN'));
$tree->insert_network('198.18.0.0/15',   country('CN'));
$tree->insert_network('2001:db8:1::/48', country('CN'));
$tree->insert_network('192.0.2.128/25',  country('DE'));
$tree->insert_network('203.0.113.0/24',  country('JP'));
$tree->insert_network('2001:db8:2::/48',
	{ registered_country => { iso_code => 'RU' } });

open(my $fh, '>:raw', "$out.tmp") or die "$out.tmp: $!\n";
$tree->write_tree($fh);
close($fh) or die "$out.tmp: $!\n";
rename("$out.tmp", $out) or die "$out: $!\n";
print "$_\n" for @drawn;
