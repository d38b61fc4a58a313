#!/usr/bin/env bash
# Copy the npm front-end libraries (frontend/package.json) into the app's static files.
# The copies are committed, with their licences, so nothing is fetched at run time.
set -euo pipefail
cd "$(dirname "$0")/.."
nm=frontend/node_modules
dst=jembatan/core/static/vendor
mkdir -p $dst/bootstrap $dst/bootstrap-icons/fonts $dst/axe-core
cp $nm/bootstrap/dist/css/bootstrap.min.css $nm/bootstrap/dist/css/bootstrap.min.css.map \
   $nm/bootstrap/dist/js/bootstrap.bundle.min.js $nm/bootstrap/dist/js/bootstrap.bundle.min.js.map \
   $nm/bootstrap/LICENSE $dst/bootstrap/
cp $nm/bootstrap-icons/font/bootstrap-icons.min.css $nm/bootstrap-icons/LICENSE $dst/bootstrap-icons/
cp $nm/bootstrap-icons/font/fonts/* $dst/bootstrap-icons/fonts/
cp $nm/axe-core/axe.min.js $nm/axe-core/LICENSE $dst/axe-core/
echo "Vendored assets refreshed in $dst"
