#!/usr/bin/env bash
# ./build.sh [Target ...] [--parameter value ...]
# Restores the pinned Cake.Tool, builds the build context library (src/AirbyteOps.Build and what it references)
# when a source changed, runs build/build.cake. Words before the first option are targets (default: Help);
# --help lists targets and parameters; Cake's --tree, --dryrun, --exclusive and --verbosity pass through.
# build.cmd is the same for Windows.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"
. build/dotnet-env.sh
export CAKE_SETTINGS_ENABLESCRIPTCACHE=true

targets=()
rest=()
for word in "$@"; do
  if [ ${#rest[@]} -eq 0 ] && [[ "$word" != -* ]]; then
    targets+=("$word")
  elif [ "$word" = "--help" ] || [ "$word" = "-h" ]; then
    targets+=("Help")
  else
    rest+=("$word")
  fi
done
[ ${#targets[@]} -gt 0 ] || targets=("Help")

# Every warm call pays for what this script runs before Cake starts: the common path below forks one process (find),
# reads files with the read builtin and tests before it creates or removes anything.
[ -d .build ] || mkdir -p .build
# The pinned Cake, run with dotnet directly: `dotnet tool run` costs about 0.3 s of tool resolution on every call.
cake_path_file=.build/cake.path
cake_dll=""
[ ! -f "$cake_path_file" ] || read -r cake_dll < "$cake_path_file" || true
if [ -z "$cake_dll" ] || [ .config/dotnet-tools.json -nt "$cake_path_file" ] || [ ! -f "$cake_dll" ]; then
  echo "Restoring the pinned Cake.Tool ..."
  dotnet tool restore >/dev/null
  version="$(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' .config/dotnet-tools.json | head -1)"
  packages="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
  # The build of Cake for the newest runtime this machine has (the package also carries builds for newer ones).
  runtime="$(dotnet --list-runtimes | sed -n 's/^Microsoft.NETCore.App \([0-9]*\)\..*/\1/p' | sort -n | tail -1)"
  cake_dll=""
  for dll in $(ls -d "$packages/cake.tool/$version"/tools/net*/any/Cake.dll 2>/dev/null | sort -V); do
    tfm="${dll%/any/Cake.dll}"; tfm="${tfm##*/net}"
    [ "${tfm%%.*}" -le "${runtime:-0}" ] && cake_dll="$dll"
  done
  if [ -z "$cake_dll" ]; then
    echo "Cake.Tool $version was restored but its Cake.dll is not under $packages/cake.tool/$version; run: dotnet tool restore" >&2
    exit 1
  fi
  echo "$cake_dll" > "$cake_path_file"
fi

stamp=.build/lib/.stamp
# (bin/ and obj/ are pruned, not walked: they hold most of src/'s files and are outputs, not sources)
if [ ! -f "$stamp" ] || [ -n "$(find src build/build.cake Directory.Build.props Directory.Packages.props \
      \( -name bin -o -name obj \) -prune -o -newer "$stamp" -print -quit 2>/dev/null)" ]; then
  echo "Building the build context library (src/AirbyteOps.Build) ..."
  dotnet build src/AirbyteOps.Build/AirbyteOps.Build.csproj -c Release -o .build/lib -nologo -v:q -clp:ErrorsOnly
  # The script cache holds a compiled script bound to the old libraries: drop it with them.
  rm -rf build/tools/cache tools/cache
  touch "$stamp"
fi

cake_args=()
for t in "${targets[@]}"; do cake_args+=("--target=$t"); done

summary=artifacts/test-results/summary.txt
[ ! -e "$summary" ] || rm -f "$summary"
status=0
dotnet "$cake_dll" build/build.cake "${cake_args[@]}" ${rest[@]+"${rest[@]}"} || status=$?
# The Test target leaves its closing line here; CI reads it as the last line of the output.
if [ -f "$summary" ]; then
  echo
  cat "$summary"
fi
exit $status
