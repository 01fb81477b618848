# 300 MB (sparse: no disk), more than the 256 MiB a config may have:
# refused before a byte is read.
truncate -s 300M "$1/big.conf" && echo "$1/big.conf"
