# A 10 MB line of values for an attribute that takes one: the error is
# the first value too many, found without storing the other 5M.
awk 'BEGIN {
	print "config firewall local-in-policy"
	print "    edit 1"
	printf "        set schedule"
	for (i = 0; i < 5000000; i++)
		printf " a"
	printf "\n    next\nend\n"
}' >"$1/long.conf" && echo "$1/long.conf"
