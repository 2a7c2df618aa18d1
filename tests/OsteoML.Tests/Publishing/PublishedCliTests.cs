using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using OsteoML.Pipelines.Screening;
using OsteoML.Tests.Cli;
using OsteoML.Tests.Export;
using OsteoML.Tests.Pipelines;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.Publishing;

/// <summary>
/// The screening CLI as a hospital installs it: <c>dotnet publish src/OsteoML.Cli -c Release -r linux-x64
/// -p:OsteoMLCpuOnly=true</c> into a temporary folder (the CPU-only flavour: the same program as the default one
/// without the CUDA provider, and the faster to publish). The folder stays under its size budget, holds no libtorch,
/// TorchSharp or Windows file, and <c>screen</c> run from it on a study copied into a fresh directory gives the
/// in-repo build's result for the same input, number for number. Also the local feed (<c>build/pack-local-feed</c>):
/// the libraries' packages and the command line as a .NET tool that installs and runs. One class, so its publish and
/// pack, which share the CPU-only build folders, never run at the same time.
/// </summary>
[TestClass]
public sealed class PublishedCliTests
{
    /// <summary>The CPU-only publish budget of issue 18 (what <c>du -sh</c> reports, in MiB).</summary>
    private const long CpuOnlyBudgetBytes = 150L * 1024 * 1024;

    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan ScreenTimeout = TimeSpan.FromMinutes(3);

    private static string _published = null!;
    private static PipelineTestData _data = null!;
    private static string _model = null!;

    [ClassInitialize]
    public static void Publish(TestContext context)
    {
        _published = TestPaths.NewTempDirectory("osteoml-published");
        var project = Path.Combine(TestPaths.RepoRoot, "src", "OsteoML.Cli", "OsteoML.Cli.csproj");
        var clock = Stopwatch.StartNew();
        DotnetProject.Run(TestPaths.RepoRoot,
            ["publish", project, "-c", "Release", "-r", "linux-x64", "-p:OsteoMLCpuOnly=true", "-o", _published], PublishTimeout);
        context.WriteLine($"published the CPU-only CLI in {clock.Elapsed.TotalSeconds:F0} s");

        _data = PipelineTestData.Create();
        _model = Path.Combine(_data.Root, "model");
        var train = CliRun.Of("train", "--pipeline", _data.QctDefinition, "--cohort", _data.Cohort, "--out", _model, "--cache-dir", _data.Cache);
        Assert.AreEqual(0, train.ExitCode, train.Error);
    }

    [TestMethod]
    public void The_CPU_only_folder_is_within_its_budget_and_holds_only_this_platforms_runtime()
    {
        var files = Directory.EnumerateFiles(_published, "*", SearchOption.AllDirectories).Select(f => new FileInfo(f)).ToList();
        var bytes = files.Sum(f => f.Length);
        Assert.IsLessThanOrEqualTo(CpuOnlyBudgetBytes, bytes, $"published CLI: {bytes / 1048576.0:F1} MiB");

        Assert.IsTrue(File.Exists(Path.Combine(_published, "osteoml")), "the osteoml executable");
        Assert.IsTrue(File.Exists(Path.Combine(_published, "libonnxruntime.so")), "ONNX Runtime's Linux library");
        string[] forbidden =
        [
            "libtorch", "TorchSharp", "libc10", "OsteoML.Models.dll", "osteoml-train",   // training only: osteoml-train
            "onnxruntime_providers_cuda", "onnxruntime_providers_tensorrt",                // GPU providers: not in the CPU-only flavour
        ];
        var relative = files.Select(f => Path.GetRelativePath(_published, f.FullName)).ToList();
        foreach (var name in forbidden)
            Assert.IsFalse(relative.Any(r => r.Contains(name, StringComparison.OrdinalIgnoreCase)), $"{name}: {string.Join(", ", relative.Where(r => r.Contains(name, StringComparison.OrdinalIgnoreCase)))}");
        var windows = relative.Where(r => r.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) && IsNative(Path.Combine(_published, r))
                                          || r.Replace('\\', '/').Contains("win-", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.IsEmpty(windows, $"Windows natives in a linux-x64 folder: {string.Join(", ", windows)}");
    }

    [TestMethod]
    public void Screen_from_the_published_folder_matches_the_in_repo_build_with_the_network()
    {
        // No segmentation cache: the VB-Net runs through the published folder's ONNX Runtime.
        var study = FreshStudy(out var workDirectory);
        AssertSameResult(workDirectory, ["screen", "--model", _model, study, "--json"]);
    }

    [TestMethod]
    public void Screen_from_the_published_folder_matches_the_in_repo_build_on_the_cached_true_masks()
    {
        // The cohort's true masks (seeded in the cache by PipelineTestData), so the study reaches the DenseNet and the
        // heads and a BMD is reported; the cache is copied, so neither run changes what the other reads.
        var study = FreshStudy(out var workDirectory);
        AssertSameResult(workDirectory, ["screen", "--model", _model, study, "--json", "--cache-dir", CopyOf(_data.Cache, workDirectory, "cache-published")],
            ["screen", "--model", _model, study, "--json", "--cache-dir", CopyOf(_data.Cache, workDirectory, "cache-in-repo")], expectBmd: true);
    }

    [TestMethod]
    public void Cuda_without_its_provider_falls_back_to_the_cpu_with_the_same_result()
    {
        // The CPU-only flavour has no CUDA provider library: asking for CUDA must degrade to the CPU, not fail.
        var study = FreshStudy(out var workDirectory);
        var cuda = RunPublished(workDirectory, ["screen", "--model", _model, study, "--json", "--device", "cuda:0"]);
        var cpu = CliRun.Of("screen", "--model", _model, study, "--json");
        Assert.AreEqual(cpu.ExitCode, cuda.ExitCode, cuda.Error);
        StringAssert.Contains(cuda.Error, "notice: CUDA device 0 is not usable");
        StringAssert.Contains(cuda.Error, "running on the CPU");
        Assert.AreEqual(WithoutTimings(cpu.Out), WithoutTimings(cuda.Out));
    }

    [TestMethod]
    public void The_local_feed_holds_the_libraries_and_a_dotnet_tool_that_installs_and_runs()
    {
        var root = TestPaths.NewTempDirectory("osteoml-feed");
        var feed = Path.Combine(root, "feed");
        DotnetProject.RunProgram("bash", TestPaths.RepoRoot, [Path.Combine("build", "pack-local-feed"), feed], PublishTimeout);
        var packages = Directory.GetFiles(feed, "*.nupkg").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        CollectionAssert.AreEquivalent(PackageTests.Libraries.Select(l => $"{l}.0.1.0.nupkg").Append("osteoml.0.1.0.nupkg").ToArray(), packages);

        // Installed from the feed into its own folder, the tool runs ONNX Runtime: it verifies a shipped model.
        var tools = Path.Combine(root, "tools");
        DotnetProject.Run(root, ["tool", "install", "osteoml", "--tool-path", tools, "--add-source", feed, "--version", "0.1.0"], PublishTimeout);
        var tool = Path.Combine(tools, "osteoml");
        StringAssert.StartsWith(DotnetProject.RunProgram(tool, root, ["--version"], ScreenTimeout), "osteoml 0.1.0");
        var verified = DotnetProject.RunProgram(tool, root, ["models", "verify", Path.Combine(TestPaths.RepoRoot, "models", "vbnet-lite")], ScreenTimeout);
        StringAssert.Contains(verified, ": ok (");
    }

    /// <summary>Runs the same arguments published and in-process; same exit code, same result but for wall times.</summary>
    private static void AssertSameResult(string workDirectory, string[] published, string[]? inRepo = null, bool expectBmd = false)
    {
        var fromFolder = RunPublished(workDirectory, published);
        var fromBuild = CliRun.Of(inRepo ?? published);
        Assert.AreEqual(fromBuild.ExitCode, fromFolder.ExitCode, $"published: {fromFolder.Error}\nin-repo: {fromBuild.Error}");
        var result = JsonNode.Parse(fromFolder.Out.Trim())!.AsObject();
        var status = result[Json(nameof(StudyResult.Status))]!.GetValue<string>();
        if (status == StudyStatusNames.Name(StudyStatus.Ok))
        {
            Assert.AreEqual(0, fromFolder.ExitCode, fromFolder.Error);
            Assert.IsNotNull(result[Json(nameof(StudyResult.Bmd))], fromFolder.Out);
        }
        else
        {
            // The documented refusal: exit 3, no BMD, the QA flags saying why.
            Assert.IsFalse(expectBmd, $"expected a BMD on true masks: {fromFolder.Out}");
            Assert.AreEqual(StudyStatusNames.Name(StudyStatus.Refused), status, fromFolder.Out);
            Assert.AreEqual(3, fromFolder.ExitCode, fromFolder.Error);
            Assert.IsNull(result[Json(nameof(StudyResult.Bmd))], fromFolder.Out);
            Assert.IsNotEmpty(result[Json(nameof(StudyResult.QaFlags))]!.AsArray(), fromFolder.Out);
        }
        Assert.AreEqual(WithoutTimings(fromBuild.Out), WithoutTimings(fromFolder.Out));
    }

    /// <summary>The first study covering L1 and L2, copied into a new empty working directory.</summary>
    private static string FreshStudy(out string workDirectory)
    {
        workDirectory = TestPaths.NewTempDirectory("osteoml-fresh");
        var row = _data.ManifestLines.Skip(1).First(r => _data.Column(r, "covers_l1") == "1" && _data.Column(r, "covers_l2") == "1");
        return CopyOf(Path.Combine(_data.Cohort, _data.Column(row, "series_dir")), workDirectory, "study");
    }

    private static string CopyOf(string source, string parent, string name)
    {
        var target = Path.Combine(parent, name);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }
        return target;
    }

    /// <summary>The published <c>osteoml</c> executable, started in <paramref name="workDirectory"/>.</summary>
    private static CliRun RunPublished(string workDirectory, string[] arguments)
    {
        var info = new ProcessStartInfo(Path.Combine(_published, "osteoml"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workDirectory,
        };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the published osteoml");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(ScreenTimeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"published osteoml {string.Join(' ', arguments)} did not finish within {ScreenTimeout}.");
        }
        return new CliRun(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>The JSON result line without its wall time, the one field two runs of the same input may differ in.</summary>
    private static string WithoutTimings(string jsonLine)
    {
        var result = JsonNode.Parse(jsonLine.Trim())!.AsObject();
        Assert.IsTrue(result.Remove(Json(nameof(StudyResult.Seconds))), jsonLine);
        return result.ToJsonString();
    }

    private static string Json(string property) => JsonNamingPolicy.CamelCase.ConvertName(property);

    /// <summary>A PE file (Windows DLL or .NET assembly) whose header says it carries no managed code.</summary>
    private static bool IsNative(string path)
    {
        using var stream = File.OpenRead(path);
        using var pe = new System.Reflection.PortableExecutable.PEReader(stream);
        return pe.PEHeaders.CorHeader is null;
    }
}
