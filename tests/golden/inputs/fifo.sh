# A FIFO nothing writes to: refused as such, at once (it used to hang).
mkfifo "$1/localin.conf" && echo "$1/localin.conf"
