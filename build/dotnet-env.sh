# build/dotnet-env.sh — the .NET runtime settings ./build.sh runs Cake (and every dotnet it starts) with; sourced by
# build.sh, and by bench/run.sh for its start-up floor, so the floor runs as the tool does. build.cmd sets the same.
# A value already in the environment is kept: DOTNET_EnableWriteXorExecute=1 ./build.sh ... turns W^X back on.
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# W^X (each page of jitted code writable or executable, never both) maps every page of code the JIT writes twice; it is
# on by default since .NET 7 and hardens a long-running service against code injection. This tool is a short process
# that jits much of what it runs once: with it off, a no-op StartPostgres took about 0.1 s less here (ABBA pairs) and a
# 10,000-file RestoreSetup 0.5-0.9 s less CPU (bench/README.md, "Session 14").
export DOTNET_EnableWriteXorExecute="${DOTNET_EnableWriteXorExecute:-0}"
