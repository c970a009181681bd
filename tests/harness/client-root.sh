#!/bin/bash
# Prints the Debian roots the real-client lane shares with the VM, one per
# line: Debian 13's libcamera (cam) and GStreamer (gst-launch-1.0,
# libcamerasrc), and sid's (the newest libcamera Debian has), unmodified,
# in the cached build roots of debian-root.sh, with the virtual camera's
# description installed where libcamera looks for it.
#   client-root.sh       the roots' paths
#   SMAF_CACHE           cache root (default /var/cache/smaf)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
for suite in trixie sid; do
	root=$("$here/debian-root.sh" "$suite" libcamera-tools gstreamer1.0-libcamera \
	       gstreamer1.0-tools)
	mkdir -p "$root/usr/share/libcamera/pipeline/virtual"
	cp "$here/client/virtual.yaml" "$root/usr/share/libcamera/pipeline/virtual/virtual.yaml"
	echo "$root"
done
