#!/bin/bash
# Debian postinst of the Vetting .deb (electron-builder fills in the two macros).
# It does what electron-builder's default does (command link, Chromium sandbox
# helper), then grants the DHCP/TFTP privileges through vetting-privileges.sh.
# Shell variables here avoid the braces form, which electron-builder would take for its macros.

APP_DIR='/opt/${sanitizedProductName}'
EXE='${executable}'

if type update-alternatives >/dev/null 2>&1; then
    if [ -L "/usr/bin/$EXE" ] && [ -e "/usr/bin/$EXE" ] && [ "$(readlink "/usr/bin/$EXE")" != "/etc/alternatives/$EXE" ]; then
        rm -f "/usr/bin/$EXE"
    fi
    update-alternatives --install "/usr/bin/$EXE" "$EXE" "$APP_DIR/$EXE" 100 || ln -sf "$APP_DIR/$EXE" "/usr/bin/$EXE"
else
    ln -sf "$APP_DIR/$EXE" "/usr/bin/$EXE"
fi

# The renderer sandbox needs either user namespaces or the setuid helper.
if ! { [[ -L /proc/self/ns/user ]] && unshare --user true; } 2>/dev/null; then
    chmod 4755 "$APP_DIR/chrome-sandbox" || true
else
    chmod 0755 "$APP_DIR/chrome-sandbox" || true
fi

if hash update-desktop-database 2>/dev/null; then
    update-desktop-database /usr/share/applications || true
fi

# DHCP (67/udp) and TFTP (69/udp): a capable private copy of dnsmasq, usable by group vetting.
# A failure here must not fail the installation: the app then reports the PXE service as
# failed with the command to run (docs/operations.md).
"$APP_DIR/resources/deb/vetting-privileges.sh" grant || echo "Vetting: could not grant DHCP/TFTP privileges; run: sudo $APP_DIR/resources/deb/vetting-privileges.sh grant" >&2

if [ -n "$SUDO_USER" ] && [ "$SUDO_USER" != root ]; then
    echo "Vetting: add bench operators to the vetting group, e.g.: sudo usermod -aG vetting $SUDO_USER (then log in again)"
fi
exit 0
