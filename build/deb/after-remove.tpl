#!/bin/bash
# Debian postrm of the Vetting .deb: undo what after-install.tpl did. The data in
# each user's ~/.config/vetting is left alone (it holds the run history).

APP_DIR='/opt/${sanitizedProductName}'
EXE='${executable}'

if type update-alternatives >/dev/null 2>&1; then
    update-alternatives --remove "$EXE" "$APP_DIR/$EXE" || true
else
    rm -f "/usr/bin/$EXE"
fi

# On an upgrade the new package's postinst grants again, so removing here is safe either way.
rm -f /usr/lib/vetting/dnsmasq
rmdir /usr/lib/vetting 2>/dev/null || true
exit 0
