namespace OsteoML.Cli;

public static class Program
{
    public static int Main(string[] args) => OsteoMLApp.Run(args, new CliContext(Console.Out, Console.Error, outputIsTerminal: !Console.IsOutputRedirected));
}
