// The Debian package's maintainer scripts (DEBIAN/postinst, prerm, postrm), POSIX sh.
//
// Install: the `passgate` system user (its own group, plus dialout, plugdev, video and gpio, each
// created if missing), /var/lib/passgate at 0700 owned by it (with all it holds), /opt/passgate/current → slots/a,
// udev rules reloaded, the unit enabled (and started where systemd runs).
// Remove: the unit stopped and disabled, /opt/passgate removed whole (slot b and the `current`
// link too, which dpkg does not own: A/B updates write them).
// Purge: also /var/lib/passgate (configuration, device key, database backups), unless the admin
// asked to keep it by creating /var/lib/passgate/.keep-on-purge. The user and the groups stay, as
// Debian does with system users: files elsewhere may still carry their ids.

export const SERVICE_USER = 'passgate';
export const DEVICE_GROUPS = ['dialout', 'plugdev', 'video', 'gpio'] as const;
export const DATA_DIR = '/var/lib/passgate';
export const KEEP_ON_PURGE = `${DATA_DIR}/.keep-on-purge`;
export const APP_ROOT = '/opt/passgate';

const UDEV_RELOAD = `if command -v udevadm >/dev/null 2>&1 && [ -d /run/udev ]; then
  udevadm control --reload-rules || true
  udevadm trigger --action=add --subsystem-match=tty --subsystem-match=hidraw --subsystem-match=gpio || true
fi`;

export const POSTINST = `#!/bin/sh
set -e
if [ "$1" = configure ]; then
  for group in ${DEVICE_GROUPS.join(' ')}; do
    getent group "$group" >/dev/null || groupadd --system "$group"
  done
  getent group ${SERVICE_USER} >/dev/null || groupadd --system ${SERVICE_USER}
  if ! getent passwd ${SERVICE_USER} >/dev/null; then
    useradd --system --gid ${SERVICE_USER} --home-dir ${DATA_DIR} --no-create-home \\
      --shell /usr/sbin/nologin --comment "passgate gate runtime" ${SERVICE_USER}
  fi
  usermod --append --groups ${DEVICE_GROUPS.join(',')} ${SERVICE_USER}
  # Everything in the data directory is the service's: files that root made there (a command
  # run with sudo, not as the service user) would be unreadable to it.
  mkdir -p ${DATA_DIR}
  chown -R ${SERVICE_USER}:${SERVICE_USER} ${DATA_DIR}
  chmod 0700 ${DATA_DIR}
  # The package's app tree is slot a; switched atomically (rename over the old link).
  ln -sfn slots/a ${APP_ROOT}/current.new
  mv -T ${APP_ROOT}/current.new ${APP_ROOT}/current
  ${UDEV_RELOAD.replaceAll('\n', '\n  ')}
  if command -v systemctl >/dev/null 2>&1; then
    systemctl enable passgate.service >/dev/null 2>&1 || true
    if [ -d /run/systemd/system ]; then
      systemctl daemon-reload
      systemctl restart passgate.service || true
    fi
  fi
fi
exit 0
`;

export const PRERM = `#!/bin/sh
set -e
if [ "$1" = remove ] || [ "$1" = deconfigure ]; then
  if [ -d /run/systemd/system ]; then systemctl stop passgate.service || true; fi
  if command -v systemctl >/dev/null 2>&1; then systemctl disable passgate.service >/dev/null 2>&1 || true; fi
fi
exit 0
`;

export const POSTRM = `#!/bin/sh
set -e
case "$1" in
  remove|purge)
    rm -rf ${APP_ROOT}
    if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
    ${UDEV_RELOAD.replaceAll('\n', '\n    ')}
    ;;
esac
if [ "$1" = purge ]; then
  if [ -e ${KEEP_ON_PURGE} ]; then
    echo "passgate: keeping ${DATA_DIR} (${KEEP_ON_PURGE} exists)"
  else
    rm -rf ${DATA_DIR}
  fi
fi
exit 0
`;
