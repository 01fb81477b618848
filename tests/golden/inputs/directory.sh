# A directory where the config should be.
mkdir "$1/localin.conf" && echo "$1/localin.conf"
