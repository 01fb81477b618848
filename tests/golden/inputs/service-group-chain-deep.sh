# A chain of 400 000 service groups, each the only member of the next, used
# by a policy: checked without recursion (it overflowed the C stack in
# service_unsupported and svc_flatten).
awk -v n=400000 'BEGIN {
	print "config firewall service custom"
	print "    edit \"ssh\"\n        set tcp-portrange 22\n    next\nend"
	print "config firewall service group"
	for (i = 1; i <= n; i++)
		printf "    edit \"g%d\"\n        set member \"%s\"\n    next\n", i,
			i == 1 ? "ssh" : "g" (i - 1)
	print "end\nconfig firewall local-in-policy\n    edit 1"
	printf "        set intf \"any\"\n        set srcaddr \"all\"\n"
	printf "        set dstaddr \"all\"\n        set service \"g%d\"\n", n
	print "        set schedule \"always\"\n        set action accept\n    next\nend"
}' >"$1/deep.conf"
echo "$1/deep.conf"
