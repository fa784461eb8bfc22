#!/bin/bash
# postinst of the Framescope deb: electron-builder's own after-install steps (app-builder-lib's
# templates/linux/after-install.tpl), then the live-capture permission, granted only if the user agreed.
# electron-builder fills in the two macros in braces; shell variables are therefore written without braces.

# The debconf question is asked (by the config script) before anything else happens; sourcing confmodule
# re-runs this script under debconf, so it comes first.
if [ -e /usr/share/debconf/confmodule ]; then
  . /usr/share/debconf/confmodule
fi

APP_DIR='/opt/${sanitizedProductName}'
APP_BIN="$APP_DIR/"'${executable}'

if type update-alternatives >/dev/null 2>&1; then
    # Remove previous link if it doesn't use update-alternatives
    if [ -L '/usr/bin/${executable}' -a -e '/usr/bin/${executable}' -a "`readlink '/usr/bin/${executable}'`" != '/etc/alternatives/${executable}' ]; then
        rm -f '/usr/bin/${executable}'
    fi
    update-alternatives --install '/usr/bin/${executable}' '${executable}' "$APP_BIN" 100 || ln -sf "$APP_BIN" '/usr/bin/${executable}'
else
    ln -sf "$APP_BIN" '/usr/bin/${executable}'
fi

# Check if user namespaces are supported by the kernel and working with a quick test:
if ! { [[ -L /proc/self/ns/user ]] && unshare --user true; }; then
    # Use SUID chrome-sandbox only on systems without user namespaces:
    chmod 4755 "$APP_DIR/chrome-sandbox" || true
else
    chmod 0755 "$APP_DIR/chrome-sandbox" || true
fi

if hash update-mime-database 2>/dev/null; then
    update-mime-database /usr/share/mime || true
fi

if hash update-desktop-database 2>/dev/null; then
    update-desktop-database /usr/share/applications || true
fi

# AppArmor profile (Ubuntu 24+), as electron-builder installs it.
if apparmor_status --enabled > /dev/null 2>&1; then
  APPARMOR_PROFILE_SOURCE="$APP_DIR/resources/apparmor-profile"
  APPARMOR_PROFILE_TARGET='/etc/apparmor.d/${executable}'
  if apparmor_parser --skip-kernel-load --debug "$APPARMOR_PROFILE_SOURCE" > /dev/null 2>&1; then
    cp -f "$APPARMOR_PROFILE_SOURCE" "$APPARMOR_PROFILE_TARGET"
    if ! { [ -x '/usr/bin/ischroot' ] && /usr/bin/ischroot; } && hash apparmor_parser 2>/dev/null; then
      apparmor_parser --replace --write-cache --skip-read-cache "$APPARMOR_PROFILE_TARGET"
    fi
  else
    echo "Skipping the installation of the AppArmor profile as this version of AppArmor does not seem to support the bundled profile"
  fi
fi

# Live capture without root, only with consent: the debconf answer framescope/capture-permission (default false).
# File capabilities put the program in secure-execution mode, where the loader ignores $ORIGIN in RPATH, so
# Electron's own libffmpeg.so would no longer be found (electron/electron#4583). That one library is made known
# to the loader through a folder holding nothing else, so no other program's libraries are shadowed.
CAPTURE_LIBS="$APP_DIR/capture-libs"
CAPTURE_LDCONF='/etc/ld.so.conf.d/${executable}-capture.conf'
GRANT=false
if type db_get >/dev/null 2>&1 && db_get framescope/capture-permission; then
  [ "$RET" = "true" ] && GRANT=true
fi
if [ "$GRANT" = true ]; then
  if command -v setcap >/dev/null 2>&1 && setcap cap_net_raw,cap_net_admin=eip "$APP_BIN"; then
    if [ -e "$APP_DIR/libffmpeg.so" ]; then
      mkdir -p "$CAPTURE_LIBS"
      cp -f "$APP_DIR/libffmpeg.so" "$CAPTURE_LIBS/libffmpeg.so"
      echo "$CAPTURE_LIBS" > "$CAPTURE_LDCONF"
      ldconfig || true
    fi
    echo "Framescope: live capture enabled for all users (cap_net_raw,cap_net_admin on $APP_BIN)."
  else
    echo "Framescope: could not set capture capabilities on $APP_BIN; live capture will need root." >&2
  fi
else
  # Declined (or changed to no with dpkg-reconfigure): nothing of the grant may remain.
  if command -v setcap >/dev/null 2>&1; then setcap -r "$APP_BIN" 2>/dev/null || true; fi
  if [ -e "$CAPTURE_LDCONF" ] || [ -d "$CAPTURE_LIBS" ]; then
    rm -f "$CAPTURE_LDCONF"
    rm -rf "$CAPTURE_LIBS"
    ldconfig || true
  fi
fi

if type db_stop >/dev/null 2>&1; then db_stop || true; fi
exit 0
