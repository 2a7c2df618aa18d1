using System.Diagnostics;

namespace OsteoML.Tests.Export;

/// <summary>
/// Builds and runs a fresh console project with the .NET SDK, outside the repository (so none of its build settings
/// apply). MSBuild variables the test host may have inherited from <c>dotnet test</c> are removed, or the inner build
/// would reuse the outer one's SDK resolution and nodes.
/// </summary>
internal static class DotnetProject
{
    public static string Run(string projectDirectory, IEnumerable<string> arguments, TimeSpan timeout) =>
        RunProgram("dotnet", projectDirectory, arguments, timeout);

    /// <summary>Another program (a script that calls dotnet, an installed .NET tool) under the same clean environment.</summary>
    public static string RunProgram(string program, string projectDirectory, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = projectDirectory,
        };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)
                     || k is "DOTNET_HOST_PATH" or "DOTNET_LAUNCH_PROFILE" or "TESTINGPLATFORM_DOTNETTEST_EXECUTIONID").ToList())
            info.Environment.Remove(name);
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["MSBUILDDISABLENODEREUSE"] = "1";

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {program}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{program} {string.Join(' ', arguments)} did not finish within {timeout}.");
        }
        if (process.ExitCode != 0)
            Assert.Fail($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{stdout.Result}\n{stderr.Result}");
        return stdout.Result;
    }
}
