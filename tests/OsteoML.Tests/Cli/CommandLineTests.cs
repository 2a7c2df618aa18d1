using OsteoML.Cli;

namespace OsteoML.Tests.Cli;

[TestClass]
public sealed class CommandLineTests
{
    private static readonly string[] Groups =
        ["dicom", "synth", "models", "train", "screen", "batch", "pull", "watch", "calibrate", "bundle", "evaluate", "export", "demo", "bench"];

    [TestMethod]
    public void Help_lists_every_command_group()
    {
        var run = CliRun.Of("--help");
        Assert.AreEqual(ExitCodes.Success, run.ExitCode);
        foreach (var group in Groups)
            StringAssert.Matches(run.Out, new System.Text.RegularExpressions.Regex($@"(?m)^\s+{group}\s"), group);
    }

    [TestMethod]
    public void Version_names_our_version_and_the_engines()
    {
        var run = CliRun.Of("--version");
        Assert.AreEqual(ExitCodes.Success, run.ExitCode);
        StringAssert.StartsWith(run.Out, "osteoml 0.");
        StringAssert.Contains(run.Out, "ML.NET 5.");
        StringAssert.Contains(run.Out, "ONNX Runtime 1.");
    }

    [TestMethod]
    [DataRow("no-such-command")]
    [DataRow("--no-such-option")]
    public void Unknown_command_or_option_is_a_usage_error_with_usage_text(string arg)
    {
        var run = CliRun.Of(arg);
        Assert.AreEqual(ExitCodes.Usage, run.ExitCode);
        StringAssert.Contains(run.Error, arg);
        StringAssert.Contains(run.Error, "Usage:");
    }

    [TestMethod]
    [DataRow("--model m --state s", "--dicomweb")]
    [DataRow("--dicomweb ftp://pacs/ --model m --state s", "not an http(s) URL")]
    [DataRow("--dicomweb http://pacs/dicom-web --model m --state s --since 2026-12-01", "not a date YYYYMMDD")]
    [DataRow("--dicomweb http://pacs/dicom-web --model m --state s --interval 0", "at least 1 second")]
    public void Watch_usage_errors_exit_2_and_say_why(string arguments, string reason)
    {
        var run = CliRun.Of(["watch", .. arguments.Split(' ')]);
        Assert.AreEqual(ExitCodes.Usage, run.ExitCode, run.Error);
        StringAssert.Contains(run.Error, reason);
    }

    [TestMethod]
    public void No_command_shows_usage_and_exits_2()
    {
        var run = CliRun.Of();
        Assert.AreEqual(ExitCodes.Usage, run.ExitCode);
        StringAssert.Contains(run.Error, "Usage:");
    }

    [TestMethod]
    public void Unexpected_failure_is_one_line_without_stack_trace_unless_verbose()
    {
        var quiet = Report(new NullReferenceException("boom"), verbose: false);
        StringAssert.StartsWith(quiet, "error: internal error (NullReferenceException): boom");
        Assert.IsFalse(quiet.Contains("   at "), quiet);

        var verbose = Report(new NullReferenceException("boom"), verbose: true);
        StringAssert.Contains(verbose, "System.NullReferenceException");
    }

    [TestMethod]
    public void Input_failure_prints_exactly_one_line_naming_the_problem()
    {
        var text = Report(new InvalidDataException("scan.dcm: no DICM prefix\nand more"), verbose: false);
        Assert.AreEqual("error: scan.dcm: no DICM prefix and more" + Environment.NewLine, text);
    }

    private static string Report(Exception ex, bool verbose)
    {
        var error = new StringWriter();
        var context = new CliContext(new StringWriter(), error) { Verbose = verbose };
        Exception thrown;
        try { throw ex; } catch (Exception caught) { thrown = caught; }
        Assert.AreEqual(ExitCodes.Failure, OsteoMLApp.ReportFailure(thrown, context));
        return error.ToString();
    }
}
