// The tests drive a Linux Docker engine and Unix file modes; they run on Linux only (as CI does).
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
