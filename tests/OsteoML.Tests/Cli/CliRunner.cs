using OsteoML.Cli;

namespace OsteoML.Tests.Cli;

/// <summary>Runs <c>osteoml</c> in-process with captured output.</summary>
internal sealed record CliRun(int ExitCode, string Out, string Error)
{
    public static CliRun Of(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = OsteoMLApp.Run(args, new CliContext(output, error));
        return new CliRun(code, output.ToString(), error.ToString());
    }
}
