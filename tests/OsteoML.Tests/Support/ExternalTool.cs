using System.Diagnostics;

namespace OsteoML.Tests.Support;

/// <summary>
/// Runs the reference tools the tests compare against (dcmtk, GDCM, Debian's Python with pydicom,
/// scikit-learn, nibabel, onnx). A missing tool fails the test with the package to install — it never skips.
/// </summary>
internal static class ExternalTool
{
    /// <summary>Debian's interpreter: the python3 first on PATH may be another one without Debian's packages.</summary>
    public const string DebianPython = "/usr/bin/python3";

    public sealed record Result(int ExitCode, string StdOut, string StdErr)
    {
        public Result EnsureSuccess(string what)
        {
            if (ExitCode != 0)
                Assert.Fail($"{what} exited with {ExitCode}: {StdErr}{StdOut}");
            return this;
        }
    }

    public static Result Run(string fileName, IEnumerable<string> arguments, string? stdin = null,
        string? workingDirectory = null, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);

        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {fileName}");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            Assert.Fail($"{fileName} is not installed ({ex.Message}); run `bash .ci/deps` to install the reference tools.");
            throw; // unreachable
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (stdin is not null)
            {
                process.StandardInput.Write(stdin);
                process.StandardInput.Close();
            }
            if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(5)))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"{fileName} did not finish within {timeout ?? TimeSpan.FromMinutes(5)}.");
            }
            return new Result(process.ExitCode, stdout.Result, stderr.Result);
        }
    }

    /// <summary>Runs a Python script (given as text) with Debian's interpreter; arguments follow the script.</summary>
    public static Result Python(string script, params string[] arguments) =>
        Run(DebianPython, ["-c", script, .. arguments]);
}
