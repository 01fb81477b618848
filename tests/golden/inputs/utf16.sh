# A config saved as UTF-16 with its byte order mark, as Windows
# PowerShell 5's `ssh admin@fgt show full-configuration > backup.conf`
# writes it: refused as UTF-16 at 1:1, not as an unknown command and a
# NUL byte.
f="$1/backup.conf"
printf '\377\376' >"$f"
printf 'config firewall address\n    edit "a"\n        set subnet 10.0.0.1/32\n    next\nend\n' |
	iconv -f UTF-8 -t UTF-16LE >>"$f" && echo "$f"
