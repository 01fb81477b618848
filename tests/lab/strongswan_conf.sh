# SPDX-License-Identifier: GPL-2.0
#
# The strongSwan configuration of one lab charon, shared by the lab
# (lab.sh) and the e2e scripts that run their own (e2e/sessions.sh).
# POSIX sh; the PSK is $LAB_PSK (the caller sets it).

# strongswan.conf for one charon: its own VICI socket and log in $dir,
# an explicit plugin list (kernel-libipsec: userspace ESP, as the kernel
# has no ESP), and swanctl pointed at the same socket.
lab_ss_conf() { # dir
	cat >"$1/strongswan.conf" <<EOF
charon {
	load = random nonce openssl pem pkcs1 x509 pubkey kdf socket-default kernel-libipsec kernel-netlink vici updown
${LAB_NATT_PORT:+	port_nat_t = $LAB_NATT_PORT}
	plugins {
		vici {
			socket = unix://$1/charon.vici
		}
	}
	syslog {
		identifier = charon-lab
	}
	filelog {
		lab {
			path = $1/charon.log
			time_format = %H:%M:%S
			flush_line = yes
			append = no
			default = 1
		}
	}
}
swanctl {
	load = random openssl pem pkcs1 x509 pubkey
	socket = unix://$1/charon.vici
}
EOF
}

# swanctl.conf: IKEv2 PSK, inner subnets as traffic selectors. A rekey
# time (swanctl's format, "5s") makes that side rekey the CHILD_SA so often.
lab_swanctl_conf() { # dir local remote local-inner remote-inner [rekey-time]
	cat >"$1/swanctl.conf" <<EOF
connections {
	lab {
		version = 2
		local_addrs = $2
		remote_addrs = $3
		proposals = aes128-sha256-modp2048
		dpd_delay = 0
${LAB_NATT_PORT:+		encap = yes}
		local {
			auth = psk
			id = $2
		}
		remote {
			auth = psk
			id = $3
		}
		children {
			lab {
				local_ts = ${4%.*}.0/24
				remote_ts = ${5%.*}.0/24
				esp_proposals = aes128-sha256
${6:+				rekey_time = $6
				rand_time = 0}
			}
		}
	}
}
secrets {
	ike-lab {
		id-a = $2
		id-b = $3
		secret = "$LAB_PSK"
	}
}
EOF
}
