// The tests drive a Linux Docker engine over Unix sockets and compare Unix file modes; they run on Linux only (as CI does).
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
