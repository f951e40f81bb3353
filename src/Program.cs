namespace Mediasoup;
internal static class Program { private static int Main(string[] args) { System.Console.WriteLine(typeof(FBS.Message.Message).Name); return 0; } }
