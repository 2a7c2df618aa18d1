#!/usr/bin/env bash
# Makes TorchSharp 0.107's libLibTorchSharp.so load where the system libstdc++ predates GLIBCXX_3.4.32
# (Debian 12 has 3.4.30). The library needs that version for one symbol only, std::ios_base_library_init(),
# which GCC 13 headers reference to force iostream initialisation that older libstdc++ does by itself.
# So: unversion that reference, satisfy it from a no-op shim placed beside the library, and mark the
# GLIBCXX_3.4.32 version need weak so the loader stops demanding it.
#
# usage: patch-libtorchsharp.sh OUTPUT_DIR SCRATCH_DIR
# Patches OUTPUT_DIR/libLibTorchSharp.so (a copy in the build output, never the NuGet cache) in place.
# Idempotent, and a no-op where libstdc++ already has GLIBCXX_3.4.32 or the library is absent.
set -euo pipefail

out_dir=$1
scratch=$2
here=$(cd "$(dirname "$0")" && pwd)
lib="$out_dir/libLibTorchSharp.so"
shim_name=libosteoml_glibcxx_shim.so
version=GLIBCXX_3.4.32
symbol=_ZSt21ios_base_library_initv

[ -f "$lib" ] || exit 0

libstdcxx=$(/sbin/ldconfig -p 2>/dev/null | awk '/libstdc\+\+\.so\.6 .*x86-64/ {print $NF; exit}')
if [ -n "$libstdcxx" ] && grep -q "$version" "$libstdcxx"; then
  exit 0 # this libstdc++ provides the version: nothing to patch
fi

for tool in gcc patchelf readelf; do
  if ! command -v "$tool" >/dev/null; then
    # Not fatal: only training needs TorchSharp; the rest of the product runs without it.
    echo "patch-libtorchsharp: '$tool' is missing, so TorchSharp (model training) cannot load here; run 'bash .ci/deps'"
    exit 0
  fi
done

mkdir -p "$scratch"
weaken="$scratch/weaken_verneed"
if [ ! -x "$weaken" ] || [ "$here/weaken_verneed.c" -nt "$weaken" ]; then
  gcc -O2 -o "$weaken" "$here/weaken_verneed.c"
fi
if [ ! -f "$out_dir/$shim_name" ] || [ "$here/glibcxx_shim.c" -nt "$out_dir/$shim_name" ]; then
  gcc -shared -fPIC -nostdlib -O2 -Wl,-soname,$shim_name -o "$out_dir/$shim_name" "$here/glibcxx_shim.c"
fi

# Patch a copy and move it into place, so an interrupted build never leaves a half-patched library.
work="$lib.patching"
cp "$lib" "$work"
if readelf --dyn-syms -W "$work" | grep -q "$symbol@$version"; then
  patchelf --clear-symbol-version "$symbol" "$work"
fi
if ! readelf -d "$work" | grep -q "\[$shim_name\]"; then
  patchelf --add-needed "$shim_name" "$work"
fi
"$weaken" "$work" "$version" 2>/dev/null
if cmp -s "$work" "$lib"; then
  rm "$work"
else
  mv "$work" "$lib"
  echo "patch-libtorchsharp: patched $lib for a libstdc++ without $version"
fi
