#!/usr/bin/env bash
# Refreshes the third-party browser libraries that maps/ inlines into every map.html, so the
# maps work on a closed network. Fetched from the npm registry with `npm pack`; only the
# minified files the maps use and the licence files are kept under maps/assets/.
# Usage: bash scripts/fetch-map-assets.sh   (needs npm; writes maps/assets/*/ and SOURCES.txt)
set -euo pipefail
LEAFLET=1.9.3                # the version folium 0.20 loads
MARKERCLUSTER=1.5.3
GROUPED=0.6.1
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/maps/assets"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
npm pack --silent "leaflet@$LEAFLET" "leaflet.markercluster@$MARKERCLUSTER" \
  "leaflet-groupedlayercontrol@$GROUPED" >/dev/null
for f in *.tgz; do mkdir -p "${f%.tgz}"; tar xzf "$f" -C "${f%.tgz}"; done
L="leaflet-$LEAFLET/package"; M="leaflet.markercluster-$MARKERCLUSTER/package"
G="leaflet-groupedlayercontrol-$GROUPED/package"
rm -rf "$dest/leaflet" "$dest/leaflet.markercluster" "$dest/leaflet-groupedlayercontrol"
mkdir -p "$dest/leaflet/images" "$dest/leaflet.markercluster" "$dest/leaflet-groupedlayercontrol"
cp "$L/dist/leaflet.js" "$L/dist/leaflet.css" "$L/LICENSE" "$dest/leaflet/"
cp "$L/dist/images/layers.png" "$L/dist/images/layers-2x.png" "$L/dist/images/marker-icon.png" "$dest/leaflet/images/"
cp "$M/dist/leaflet.markercluster.js" "$M/dist/MarkerCluster.css" "$M/dist/MarkerCluster.Default.css" \
  "$M/MIT-LICENCE.txt" "$dest/leaflet.markercluster/"
cp "$G/dist/leaflet.groupedlayercontrol.min.js" "$G/dist/leaflet.groupedlayercontrol.min.css" \
  "$G/LICENSE.txt" "$dest/leaflet-groupedlayercontrol/"
{
  echo "Third-party files inlined into the maps (fetched by scripts/fetch-map-assets.sh from registry.npmjs.org)."
  for t in *.tgz; do echo "$t sha256 $(sha256sum "$t" | cut -d' ' -f1)"; done
  echo "leaflet $LEAFLET: BSD-2-Clause (leaflet/LICENSE)"
  echo "leaflet.markercluster $MARKERCLUSTER: MIT (leaflet.markercluster/MIT-LICENCE.txt)"
  echo "leaflet-groupedlayercontrol $GROUPED: MIT (leaflet-groupedlayercontrol/LICENSE.txt)"
  echo "shortage-map.js, shortage-map.css: stageplanner's own map script and styles (not fetched)"
} > "$dest/SOURCES.txt"
echo "fetch-map-assets: wrote $(du -sh "$dest" | cut -f1) to $dest"
