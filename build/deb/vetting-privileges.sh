#!/bin/sh
# Gives Vetting's DHCP/TFTP server the network privileges it needs, without
# running the app as root and without touching Debian's own dnsmasq binary.
#
# dnsmasq must bind UDP 67 (DHCP) and 69 (TFTP), both below 1024, and as a DHCP
# server it also sends raw replies and adds ARP entries for clients that have no
# address yet. So a private copy of /usr/sbin/dnsmasq gets exactly three file
# capabilities: cap_net_bind_service, cap_net_raw, cap_net_admin. Only root and
# members of the `vetting` group may execute the copy (mode 0750), so the
# capabilities are not handed to every local user.
#
#   vetting-privileges.sh grant    create the group and the capable copy (postinst runs this)
#   vetting-privileges.sh revoke   remove the copy (package removal runs this)
#   vetting-privileges.sh status   say whether the copy exists, is capable and is current
#
# Run grant again after an upgrade of dnsmasq-base, so the copy carries its fixes
# (`status` says "stale" when the copy differs from /usr/sbin/dnsmasq).
# Paths can be overridden for tests: VETTING_DNSMASQ_SRC, VETTING_LIBDIR, VETTING_GROUP.

set -eu

SRC=${VETTING_DNSMASQ_SRC:-/usr/sbin/dnsmasq}
LIBDIR=${VETTING_LIBDIR:-/usr/lib/vetting}
GROUP=${VETTING_GROUP:-vetting}
DEST=$LIBDIR/dnsmasq
CAPS=cap_net_bind_service,cap_net_raw,cap_net_admin

die() {
  echo "vetting-privileges: $*" >&2
  exit 1
}

grant() {
  [ "$(id -u)" = 0 ] || die "grant must run as root (sudo $0 grant)"
  [ -x "$SRC" ] || die "$SRC not found: install dnsmasq-base"
  command -v setcap >/dev/null 2>&1 || die "setcap not found: install libcap2-bin"
  getent group "$GROUP" >/dev/null 2>&1 || groupadd --system "$GROUP"
  mkdir -p "$LIBDIR"
  # Copy to a temporary name and rename, so a running dnsmasq keeps its binary.
  tmp=$DEST.new.$$
  cp "$SRC" "$tmp"
  chown "root:$GROUP" "$tmp"
  chmod 0750 "$tmp"
  if ! setcap "$CAPS+ep" "$tmp"; then
    rm -f "$tmp"
    die "setcap failed on $tmp (does the filesystem under $LIBDIR support extended attributes?)"
  fi
  mv -f "$tmp" "$DEST"
  echo "vetting-privileges: $DEST may bind DHCP/TFTP ports (members of group $GROUP)"
}

revoke() {
  [ "$(id -u)" = 0 ] || die "revoke must run as root"
  rm -f "$DEST"
  rmdir "$LIBDIR" 2>/dev/null || true
}

status() {
  if [ ! -e "$DEST" ]; then
    echo "missing: $DEST (run: sudo $0 grant)"
    return 1
  fi
  caps=$(getcap "$DEST" 2>/dev/null || true)
  for c in cap_net_bind_service cap_net_raw cap_net_admin; do
    case "$caps" in
      *"$c"*) ;;
      *) echo "incapable: $DEST lacks $c (run: sudo $0 grant)"; return 1 ;;
    esac
  done
  if [ -e "$SRC" ] && ! cmp -s "$SRC" "$DEST"; then
    echo "stale: $DEST differs from $SRC (dnsmasq-base was upgraded; run: sudo $0 grant)"
    return 1
  fi
  echo "ok: $DEST ($caps)"
}

case "${1:-}" in
  grant) grant ;;
  revoke) revoke ;;
  status) status ;;
  *) die "usage: $0 grant|revoke|status" ;;
esac
