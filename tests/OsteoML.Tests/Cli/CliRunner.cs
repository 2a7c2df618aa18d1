using OsteoML.Cli;
using OsteoML.Train;

namespace OsteoML.Tests.Cli;

/// <summary>Runs <c>osteoml</c> (or <c>osteoml-train</c>) in-process with captured output.</summary>
internal sealed record CliRun(int ExitCode, string Out, string Error)
{
    public static CliRun Of(params string[] args) => Run(OsteoMLApp.Run, args);

    /// <summary><c>osteoml-train</c> with these arguments.</summary>
    public static CliRun OfTrain(params string[] args) => Run(TrainApp.Run, args);

    private static CliRun Run(Func<string[], CliContext, int> app, string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = app(args, new CliContext(output, error));
        return new CliRun(code, output.ToString(), error.ToString());
    }
}
