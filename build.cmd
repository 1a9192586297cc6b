@echo off
rem build.cmd [Target ...] [--parameter value ...]  (Windows twin of build.sh: same arguments, same steps)
rem Restores the pinned Cake.Tool, builds the build context library (src\AirbyteOps.Build) when a source changed,
rem drops the script cache when the library changed, runs build\build.cake, prints the test summary last.
setlocal EnableDelayedExpansion
cd /d "%~dp0"
set DOTNET_CLI_TELEMETRY_OPTOUT=1
set DOTNET_NOLOGO=1
set DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
rem W^X off unless the environment says otherwise: start-up speed of a short process (build/dotnet-env.sh says why)
if not defined DOTNET_EnableWriteXorExecute set DOTNET_EnableWriteXorExecute=0
set CAKE_SETTINGS_ENABLESCRIPTCACHE=true
set TARGETS=
set REST=
set OPTIONS_STARTED=
:loop
if "%~1"=="" goto run
set WORD=%~1
if "%WORD%"=="--help" ( set TARGETS=!TARGETS! --target=Help & shift & goto loop )
if "%WORD%"=="-h" ( set TARGETS=!TARGETS! --target=Help & shift & goto loop )
if not defined OPTIONS_STARTED if not "%WORD:~0,1%"=="-" ( set TARGETS=!TARGETS! --target=%WORD% & shift & goto loop )
set OPTIONS_STARTED=1
set REST=!REST! "%~1"
shift
goto loop
:run
if not defined TARGETS set TARGETS=--target=Help
if not exist .build mkdir .build
if not exist .build\tools.stamp (
  echo Restoring the pinned Cake.Tool ...
  dotnet tool restore >nul || exit /b 1
  type nul > .build\tools.stamp
)
rem dotnet build is incremental: it rewrites the library only when a source changed.
dotnet build src\AirbyteOps.Build\AirbyteOps.Build.csproj -c Release -o .build\lib -nologo -v:q -clp:ErrorsOnly || exit /b 1
set LIBTIME=
for %%F in (.build\lib\AirbyteOps.Build.dll) do set LIBTIME=%%~tF %%~zF
set OLDTIME=
if exist .build\lib\.stamp set /p OLDTIME=<.build\lib\.stamp
if not "!LIBTIME!"=="!OLDTIME!" (
  rem The script cache holds a compiled script bound to the old library: drop it with it.
  if exist build\tools\cache rmdir /s /q build\tools\cache
  if exist tools\cache rmdir /s /q tools\cache
  > .build\lib\.stamp echo !LIBTIME!
)
if exist artifacts\test-results\summary.txt del artifacts\test-results\summary.txt
dotnet tool run dotnet-cake build\build.cake %TARGETS% %REST%
set STATUS=%ERRORLEVEL%
if exist artifacts\test-results\summary.txt ( echo. & type artifacts\test-results\summary.txt )
exit /b %STATUS%
