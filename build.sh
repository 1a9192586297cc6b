#!/usr/bin/env bash
# ./build.sh [Target ...] [--parameter value ...]
# Restores the pinned Cake.Tool, builds the libraries under src/ when they changed, runs build/build.cake.
# Words before the first option are targets (default: Help); --help lists targets and parameters;
# Cake's --tree, --dryrun, --exclusive and --verbosity pass through.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
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

mkdir -p .build
if [ ! -f .build/tools.stamp ] || [ .config/dotnet-tools.json -nt .build/tools.stamp ]; then
  echo "Restoring the pinned Cake.Tool ..."
  dotnet tool restore >/dev/null
  touch .build/tools.stamp
fi

stamp=.build/lib/.stamp
if [ ! -f "$stamp" ] || [ -n "$(find src build/build.cake Directory.Build.props Directory.Packages.props -newer "$stamp" \
      -not -path '*/bin/*' -not -path '*/obj/*' -print -quit 2>/dev/null)" ]; then
  echo "Building the libraries under src/ ..."
  dotnet build src/AirbyteOps/AirbyteOps.csproj -c Release -o .build/lib -nologo -v:q -clp:ErrorsOnly
  # The script cache holds a compiled script bound to the old libraries: drop it with them.
  rm -rf build/tools/cache tools/cache
  touch "$stamp"
fi

cake_args=()
for t in "${targets[@]}"; do cake_args+=("--target=$t"); done

summary=artifacts/test-results/summary.txt
rm -f "$summary"
status=0
dotnet tool run dotnet-cake build/build.cake "${cake_args[@]}" ${rest[@]+"${rest[@]}"} || status=$?
# The Test target leaves its closing line here; CI reads it as the last line of the output.
if [ -f "$summary" ]; then
  echo
  cat "$summary"
fi
exit $status
