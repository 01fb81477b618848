# A chain of 400 000 address groups, each the only member of the next,
# used by a policy: checked without recursion (it overflowed the C stack
# in addr_unsupported and addr_flatten); nesting depth is the admin's.
awk -v n=400000 'BEGIN {
	print "config firewall address"
	print "    edit \"a0\"\n        set subnet 192.0.2.1 255.255.255.255\n    next"
	print "end\nconfig firewall addrgrp"
	for (i = 1; i <= n; i++)
		printf "    edit \"g%d\"\n        set member \"%s\"\n    next\n", i,
			i == 1 ? "a0" : "g" (i - 1)
	print "end\nconfig firewall local-in-policy\n    edit 1"
	printf "        set intf \"any\"\n        set srcaddr \"g%d\"\n", n
	print "        set dstaddr \"all\"\n        set service \"ALL\""
	print "        set schedule \"always\"\n        set action accept\n    next\nend"
}' >"$1/deep.conf"
echo "$1/deep.conf"
