# A character device that never ends: refused without reading it (it used
# to be read until memory ran out).
echo /dev/zero
