# A line of more words than any config needs (2097152, twice the group of
# 1M addresses), here in a section localin skips: an error, and the words
# past the limit are not stored.
awk 'BEGIN {
	print "config router static"
	print "    edit 1"
	printf "        set comments"
	for (i = 0; i < 2100000; i++)
		printf " w"
	printf "\n    next\nend\n"
}' >"$1/words.conf" && echo "$1/words.conf"
