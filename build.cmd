@echo off
rem build.cmd [Target ...] [--parameter value ...]  (Windows twin of build.sh)
setlocal EnableDelayedExpansion
cd /d "%~dp0"
set DOTNET_CLI_TELEMETRY_OPTOUT=1
set DOTNET_NOLOGO=1
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
dotnet tool restore >nul || exit /b 1
dotnet build src\AirbyteOps\AirbyteOps.csproj -c Release -o .build\lib -nologo -v:q -clp:ErrorsOnly || exit /b 1
if exist artifacts\test-results\summary.txt del artifacts\test-results\summary.txt
dotnet tool run dotnet-cake build\build.cake %TARGETS% %REST%
set STATUS=%ERRORLEVEL%
if exist artifacts\test-results\summary.txt ( echo. & type artifacts\test-results\summary.txt )
exit /b %STATUS%
