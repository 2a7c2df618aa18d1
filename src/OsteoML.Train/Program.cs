using OsteoML.Cli;

namespace OsteoML.Train;

public static class Program
{
    public static int Main(string[] args) => TrainApp.Run(args, new CliContext(Console.Out, Console.Error, outputIsTerminal: !Console.IsOutputRedirected));
}
