#!/bin/bash
# postrm of the Framescope deb: electron-builder's own after-remove steps (app-builder-lib's
# templates/linux/after-remove.tpl), plus removing what the capture permission added, and the debconf answer on
# purge. electron-builder fills in the two macros in braces; shell variables are written without braces.

if [ "$1" = "purge" ] && [ -e /usr/share/debconf/confmodule ]; then
  . /usr/share/debconf/confmodule
  db_purge || true
  db_stop || true
fi

# Delete the link to the binary
if type update-alternatives >/dev/null 2>&1; then
    update-alternatives --remove '${executable}' '/opt/${sanitizedProductName}/${executable}'
else
    rm -f '/usr/bin/${executable}'
fi

APPARMOR_PROFILE_DEST='/etc/apparmor.d/${executable}'
if [ -f "$APPARMOR_PROFILE_DEST" ]; then
  if apparmor_status --enabled > /dev/null 2>&1; then
    if ! { [ -x '/usr/bin/ischroot' ] && /usr/bin/ischroot; } && hash apparmor_parser 2>/dev/null; then
      apparmor_parser --remove "$APPARMOR_PROFILE_DEST" || true
    fi
  fi
  rm -f "$APPARMOR_PROFILE_DEST"
fi

CAPTURE_LDCONF='/etc/ld.so.conf.d/${executable}-capture.conf'
if [ "$1" = "remove" ] || [ "$1" = "purge" ]; then
  if [ -e "$CAPTURE_LDCONF" ]; then
    rm -f "$CAPTURE_LDCONF"
    rm -rf '/opt/${sanitizedProductName}/capture-libs'
    ldconfig || true
  fi
fi
exit 0
