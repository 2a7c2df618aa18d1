using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Documents;
using Microsoft.DotNet.Interactive.Documents.Jupyter;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.Formatting;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.Notebooks;

/// <summary>What a notebook's run left: its time, what each cell displayed, and the values of chosen variables.</summary>
internal sealed record NotebookRun(string Name, TimeSpan Elapsed, IReadOnlyList<IReadOnlyList<DisplayEvent>> Displays, IReadOnlyDictionary<string, object?> Values)
{
    public T Value<T>(string name) => Values.TryGetValue(name, out var v) && v is T t ? t
        : throw new AssertFailedException($"{Name}: variable '{name}' is {(v is null ? "missing" : v.GetType().Name)}, not {typeof(T).Name}.");

    /// <summary>Every formatted value of a given MIME type the notebook displayed, in order.</summary>
    public IEnumerable<string> Formatted(string mimeType) =>
        Displays.SelectMany(d => d).SelectMany(e => e.FormattedValues).Where(f => f.MimeType == mimeType).Select(f => f.Value);
}

/// <summary>
/// Runs a Polyglot notebook headlessly: its C# cells in order in one <see cref="CSharpKernel"/> (with the kernel
/// helpers, so <c>display</c> and <c>HTML</c> work), failing on the first cell that reports <see cref="CommandFailed"/>.
/// Two things differ from a run in an editor, both in the first code cell only and both because tests run in
/// parallel and must not change the process's current directory: a relative <c>#r "….dll"</c> is pointed at the same
/// file in the test's own output folder (which holds every OsteoML library and its dependencies), and the notebook's
/// <c>repo</c> and <c>output</c> settings are pinned to the repository and a fresh folder.
/// </summary>
internal static partial class NotebookRunner
{
    public static string NotebookPath(string name) => Path.Combine(TestPaths.RepoRoot, "notebooks", name + ".ipynb");

    public static async Task<NotebookRun> RunAsync(string name, string outputDirectory, IReadOnlyList<string> variables, TestContext? log = null)
    {
        var document = Notebook.Parse(await File.ReadAllTextAsync(NotebookPath(name)), Kernels());
        var cells = document.Elements.Where(e => e.KernelName == "csharp").ToList();
        if (cells.Count == 0) Assert.Fail($"{name}: no C# cells (is the Polyglot kernel metadata there?).");

        using var kernel = new CSharpKernel().UseKernelHelpers();
        var displays = new List<IReadOnlyList<DisplayEvent>>();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < cells.Count; i++)
        {
            var code = i == 0 ? PinSettings(name, cells[i].Contents, outputDirectory) : cells[i].Contents;
            var cellClock = Stopwatch.StartNew();
            var result = await kernel.SendAsync(new SubmitCode(code));
            var failed = result.Events.OfType<CommandFailed>().FirstOrDefault();
            if (failed is not null)
                Assert.Fail($"{name}, code cell {i + 1} failed: {failed.Message}{(failed.Exception is { } ex ? $"\n{ex}" : "")}");
            displays.Add(result.Events.OfType<DisplayEvent>().ToList());
            log?.WriteLine($"{name}: cell {i + 1}/{cells.Count} {cellClock.Elapsed.TotalSeconds:F1} s");
        }
        SaveImages(name, outputDirectory, displays);
        var values = new Dictionary<string, object?>();
        foreach (var variable in variables)
            values[variable] = kernel.TryGetValue<object>(variable, out var value) ? value : null;
        return new NotebookRun(name, clock.Elapsed, displays, values);
    }

    /// <summary>Every PNG the notebook displayed, as files in <c>output/&lt;name&gt;.images/</c>, to look at after a run.</summary>
    private static void SaveImages(string name, string outputDirectory, IEnumerable<IReadOnlyList<DisplayEvent>> displays)
    {
        var images = displays.SelectMany(d => d).SelectMany(e => e.FormattedValues).Where(f => f.MimeType == "text/html")
            .SelectMany(f => InlinePng().Matches(f.Value)).Select(m => Convert.FromBase64String(m.Groups["data"].Value)).ToList();
        if (images.Count == 0) return;
        var directory = Path.Combine(outputDirectory, name + ".images");
        Directory.CreateDirectory(directory);
        for (var i = 0; i < images.Count; i++) File.WriteAllBytes(Path.Combine(directory, $"{i + 1:00}.png"), images[i]);
    }

    [GeneratedRegex(@"data:image/png;base64,(?<data>[A-Za-z0-9+/=]+)")]
    private static partial Regex InlinePng();

    private static KernelInfoCollection Kernels() =>
    [
        new KernelInfo("csharp", "C#", ["c#", "cs"]),
        new KernelInfo("markdown", "Markdown", ["md"]),
    ];

    /// <summary>The first cell with its <c>#r</c> paths made absolute and <c>repo</c>/<c>output</c> pinned (see the class summary).</summary>
    internal static string PinSettings(string name, string code, string outputDirectory)
    {
        var references = AssemblyReference().Matches(code);
        if (references.Count == 0) Assert.Fail($"{name}: the first cell references no OsteoML library with #r.");
        foreach (Match reference in references)
        {
            var path = reference.Groups["path"].Value;
            if (Path.IsPathRooted(path)) Assert.Fail($"{name}: #r \"{path}\" is absolute; the notebooks reference the build relative to notebooks/.");
            var local = Path.Combine(AppContext.BaseDirectory, Path.GetFileName(path));
            if (!File.Exists(local)) Assert.Fail($"{name}: #r \"{path}\" names {Path.GetFileName(path)}, which the build does not produce.");
            code = code.Replace(reference.Value, $"#r \"{local}\"");
        }
        code = Setting(name, code, "repo", TestPaths.RepoRoot);
        return Setting(name, code, "output", outputDirectory);
    }

    private static string Setting(string name, string code, string variable, string value)
    {
        var declaration = new Regex($@"^var {variable} = [^;\n]+;", RegexOptions.Multiline);
        if (!declaration.IsMatch(code)) Assert.Fail($"{name}: the first cell declares no 'var {variable} = …;' line to pin.");
        return declaration.Replace(code, $"var {variable} = @\"{value.Replace("\"", "\"\"")}\";", 1);
    }

    [GeneratedRegex(@"^#r\s+""(?<path>[^""]+\.dll)""", RegexOptions.Multiline)]
    private static partial Regex AssemblyReference();
}
