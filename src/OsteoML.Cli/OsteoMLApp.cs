using System.CommandLine;
using System.CommandLine.Invocation;
using OsteoML.Cli.Commands;

namespace OsteoML.Cli;

/// <summary>
/// The <c>osteoml</c> command tree and its error policy: usage errors exit 2 with the usage text, failures
/// print one line naming the problem (the stack trace only with <c>--verbose</c>) and exit 1.
/// </summary>
public static class OsteoMLApp
{
    /// <summary>Global: show stack traces and diagnostic detail.</summary>
    public static readonly Option<bool> VerboseOption = new("--verbose", "-v")
    {
        Description = "Show diagnostic detail and stack traces on errors.",
        Recursive = true,
    };

    public static int Run(string[] args, CliContext context) => Run(BuildRoot(context), args, context);

    /// <summary>Runs a command tree made with <see cref="NewRoot"/> (also <c>osteoml-train</c>'s) under this error policy.</summary>
    public static int Run(RootCommand root, string[] args, CliContext context)
    {
        var parseResult = root.Parse(args);
        context.Verbose = parseResult.GetValue(VerboseOption);

        if (parseResult.Errors.Count > 0)
        {
            foreach (var error in parseResult.Errors)
                context.Error.WriteLine($"error: {error.Message}");
            WriteUsage(root, parseResult, context.Error);
            return ExitCodes.Usage;
        }

        try
        {
            return parseResult.Invoke(new InvocationConfiguration
            {
                Output = context.Out,
                Error = context.Error,
                EnableDefaultExceptionHandler = false,
                // Ctrl-C and SIGTERM cancel the command's token; `watch` and `batch` finish and record the studies in hand first.
                ProcessTerminationTimeout = parseResult.CommandResult.Command.Name is WatchCommand.Name or BatchCommand.Name ? WatchCommand.StopGrace : TimeSpan.FromSeconds(2),
            });
        }
        catch (Exception ex)
        {
            return ReportFailure(ex, context);
        }
    }

    public static RootCommand BuildRoot(CliContext context)
    {
        var root = NewRoot(
            "OsteoML: bone mineral density (mg/cm³, QCT-equivalent) and an ACR class from routine CT of the lumbar spine.", context);
        root.Subcommands.Add(DicomCommand.Create(context));
        root.Subcommands.Add(SynthCommand.Create(context));
        root.Subcommands.Add(ModelsCommand.Create(context));
        root.Subcommands.Add(TrainCommand.Create(context));
        root.Subcommands.Add(ScreenCommand.Create(context));
        root.Subcommands.Add(BatchCommand.Create(context));
        root.Subcommands.Add(ResultsCommand.Create(context));
        root.Subcommands.Add(PullCommand.Create(context));
        root.Subcommands.Add(WatchCommand.Create(context));
        root.Subcommands.Add(CalibrateCommand.Create(context));
        root.Subcommands.Add(BundleCommand.Create(context));
        root.Subcommands.Add(EvaluateCommand.Create(context));
        root.Subcommands.Add(ExportCommand.Create(context));
        root.Subcommands.Add(DemoCommand.Create(context));
        root.Subcommands.Add(BenchCommand.Create(context));
        root.Subcommands.Add(FracturesCommand.Create(context));
        root.Subcommands.Add(TrendCommand.Create(context));
        return root;
    }

    /// <summary>An empty command tree with the shared options (<c>--verbose</c>, <c>--version</c>) and usage on no command.</summary>
    public static RootCommand NewRoot(string description, CliContext context)
    {
        var root = new RootCommand(description);
        root.Options.Add(VerboseOption);
        // No command given: show the usage and fail as a usage error, like an unknown command.
        root.SetAction(parseResult =>
        {
            WriteUsage(root, parseResult, context.Error);
            return ExitCodes.Usage;
        });
        foreach (var option in root.Options)
        {
            if (option is VersionOption)
                option.Action = new VersionAction(context);
        }
        return root;
    }

    internal static int ReportFailure(Exception ex, CliContext context)
    {
        var inner = ex is AggregateException { InnerExceptions.Count: 1 } agg ? agg.InnerExceptions[0] : ex;
        var message = OneLine(inner.Message);
        context.Error.WriteLine(IsExpected(inner)
            ? $"error: {message}"
            : $"error: internal error ({inner.GetType().Name}): {message}");
        if (context.Verbose)
            context.Error.WriteLine(ex.ToString());
        else if (!IsExpected(inner))
            context.Error.WriteLine("(run again with --verbose for the stack trace)");
        return ExitCodes.Failure;
    }

    /// <summary>Exceptions our libraries throw for bad input or environment; their message is the whole story.</summary>
    private static bool IsExpected(Exception ex) => ex is IOException or InvalidDataException or FormatException
        or ArgumentException or NotSupportedException or UnauthorizedAccessException or InvalidOperationException
        or OperationCanceledException or System.Net.Http.HttpRequestException;

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>Writes the help of the command the parse stopped in, so a usage error shows the right usage.</summary>
    private static void WriteUsage(RootCommand root, ParseResult parseResult, TextWriter writer)
    {
        var path = new List<string>();
        for (var result = parseResult.CommandResult; result.Parent is System.CommandLine.Parsing.CommandResult parent; result = parent)
            path.Insert(0, result.Command.Name);
        path.Add("--help");
        root.Parse(path).Invoke(new InvocationConfiguration { Output = writer, Error = writer });
    }

    private sealed class VersionAction(CliContext context) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            context.Out.WriteLine(VersionInfo.Line);
            return ExitCodes.Success;
        }
    }
}
