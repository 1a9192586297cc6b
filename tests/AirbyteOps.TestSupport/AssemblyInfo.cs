// The helpers drive a Linux Docker engine and Unix file modes; the tests run on Linux only (as CI does).
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
