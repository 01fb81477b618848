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
# The IKE_SA's extra settings are lab_swanctl_ike's and its children
# lab_swanctl_children's (both given this function's arguments): a script
# that wants more churn defines its own after sourcing this file
# (e2e/vpn_churn.sh), and the rest of the file stays the lab's.
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
$(lab_swanctl_ike "$@")
		local {
			auth = psk
			id = $2
		}
		remote {
			auth = psk
			id = $3
		}
		children {
$(lab_swanctl_children "$@")
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

# The lab's IKE_SA: no extra settings.
lab_swanctl_ike() { :; }

# The lab's one CHILD_SA, "lab", between the inner /24s.
lab_swanctl_children() { # dir local remote local-inner remote-inner [rekey-time]
	if [ -n "${6:-}" ]; then
		lab_swanctl_child lab "${4%.*}.0/24" "${5%.*}.0/24" \
			"rekey_time = $6" "rand_time = 0"
	else
		lab_swanctl_child lab "${4%.*}.0/24" "${5%.*}.0/24"
	fi
}

# One CHILD_SA of the children block; each SETTING ("life_time = 8s") a
# line of its own.
lab_swanctl_child() { # name local-ts remote-ts [setting...]
	printf '\t\t\t%s {\n\t\t\t\tlocal_ts = %s\n\t\t\t\tremote_ts = %s\n' \
		"$1" "$2" "$3"
	printf '\t\t\t\tesp_proposals = aes128-sha256\n'
	shift 3
	for setting in "$@"; do
		printf '\t\t\t\t%s\n' "$setting"
	done
	printf '\t\t\t}\n'
}
