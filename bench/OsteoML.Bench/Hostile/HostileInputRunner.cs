using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using OsteoML.Cli.Benchmarks;
using OsteoML.Dicom;
using OsteoML.Dicom.Series;
using OsteoML.Imaging;

namespace OsteoML.Bench.Hostile;

/// <summary>
/// <c>bench hostile [--out DIR] [--model BUNDLE]</c>: the hostile inputs of issue 22, each beside a good 64×64×24 CT
/// series, run through <c>osteoml dicom series</c> (and <c>screen</c>/<c>batch</c> when a bundle is given) as child
/// processes; wall time, peak RSS (VmHWM) and exit code of each into <c>hostile.json</c> and a markdown table. The
/// goal: every input ends in under 10 s with a peak RSS under 1 GB. Not a test: tests assert the refusals.
/// </summary>
public static class HostileInputRunner
{
    public static void Run(string[] args)
    {
        string Arg(string name, string fallback) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        var output = Directory.CreateDirectory(Arg("--out", Path.Combine(Path.GetTempPath(), "osteoml-bench-hostile"))).FullName;
        var model = Arg("--model", "");
        var inputs = Path.Combine(output, "inputs");
        if (Directory.Exists(inputs)) Directory.Delete(inputs, recursive: true);

        var cases = new List<(string Name, string Folder)>
        {
            ("NumberOfFrames 2147483647 (one 70 KB file, nested)", Frames(Path.Combine(inputs, "frames"))),
            ("link to '.', link to '..', FIFO named *.dcm", Links(Path.Combine(inputs, "links"))),
            ("two deflate bombs (2 GiB of zeros each, ~2 MB on disk)", Bombs(Path.Combine(inputs, "bombs"))),
            ("1000 mm slice step", Spacing(Path.Combine(inputs, "step"), new Vec3(0.7, 0.7, 1000))),
            ("1000 mm pixel spacing", Spacing(Path.Combine(inputs, "pixel"), new Vec3(1000, 1000, 1))),
        };
        var cli = Path.Combine(AppContext.BaseDirectory, "osteoml.dll");
        var rows = new List<Dictionary<string, object>>();
        foreach (var (name, folder) in cases)
        {
            var commands = new List<(string Command, string[] Arguments)> { ("dicom series", ["dicom", "series", "--json", folder]) };
            if (model.Length > 0)
            {
                commands.Add(("screen", ["screen", "--model", model, folder]));
                commands.Add(("batch", ["batch", "--model", model, folder, "--out", Path.Combine(output, "batch-" + Path.GetFileName(folder))]));
            }
            foreach (var (command, arguments) in commands)
            {
                var log = Path.Combine(output, $"{Path.GetFileName(folder)}-{command.Replace(' ', '-')}.log");
                var m = ProcessMeasurement.Run("dotnet", [cli, .. arguments], log);
                rows.Add(new Dictionary<string, object>
                {
                    ["input"] = name, ["command"] = command, ["seconds"] = Math.Round(m.WallSeconds, 2),
                    ["peakRssMb"] = Math.Round(m.PeakRssBytes / 1048576.0, 1), ["exitCode"] = m.ExitCode,
                    ["firstError"] = File.ReadLines(log).FirstOrDefault(l => l.Contains("error", StringComparison.OrdinalIgnoreCase) || l.StartsWith("failed", StringComparison.Ordinal)) ?? "",
                });
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {command} | {m.WallSeconds:0.00} s | {m.PeakRssBytes / 1048576.0:0} MB | {m.ExitCode} |"));
            }
        }
        File.WriteAllText(Path.Combine(output, "hostile.json"), JsonSerializer.Serialize(new
        {
            date = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture),
            processors = Environment.ProcessorCount,
            rows,
        }, new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>A good series, and one of its files copied into a subfolder declaring 2,147,483,647 frames.</summary>
    private static string Frames(string folder)
    {
        var files = GoodSeries(Path.Combine(folder, "series"));
        var hostile = DicomFile.Open(files[0]);
        hostile.Dataset.AddOrUpdate(DicomTag.NumberOfFrames, int.MaxValue);
        Directory.CreateDirectory(Path.Combine(folder, "deep", "er"));
        hostile.Save(Path.Combine(folder, "deep", "er", "frames.dcm"));
        return folder;
    }

    private static string Links(string folder)
    {
        var series = Path.Combine(folder, "series");
        GoodSeries(series);
        Directory.CreateSymbolicLink(Path.Combine(series, "self"), ".");
        Directory.CreateSymbolicLink(Path.Combine(series, "up"), "..");
        var fifo = System.Diagnostics.Process.Start("mkfifo", [Path.Combine(series, "blocked.dcm")])!;
        fifo.WaitForExit();
        return folder;
    }

    /// <summary>A good deflated file whose dataset is followed, inside the deflate stream, by 2 GiB of zeros; twice.</summary>
    private static string Bombs(string folder)
    {
        var files = GoodSeries(Path.Combine(folder, "series"));
        var deflated = Path.Combine(folder, "deflated.tmp");
        DicomFile.Open(files[0]).Clone(DicomTransferSyntax.DeflatedExplicitVRLittleEndian).Save(deflated);
        var bytes = File.ReadAllBytes(deflated);
        File.Delete(deflated);
        var datasetStart = 144 + (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(140)); // after preamble, DICM and group 0002
        using var inflated = new MemoryStream();
        using (var inflater = new DeflateStream(new MemoryStream(bytes, datasetStart, bytes.Length - datasetStart), CompressionMode.Decompress))
            inflater.CopyTo(inflated);
        var bomb = Path.Combine(folder, "bomb-1.dcm");
        using (var file = File.Create(bomb))
        {
            file.Write(bytes, 0, datasetStart);
            using var deflate = new DeflateStream(file, CompressionLevel.SmallestSize);
            deflate.Write(inflated.ToArray());
            var zeros = new byte[1 << 22];
            for (var i = 0; i < 512; i++) deflate.Write(zeros);
        }
        File.Copy(bomb, Path.Combine(folder, "bomb-2.dcm"));
        return folder;
    }

    private static string Spacing(string folder, Vec3 spacing)
    {
        var geometry = VolumeGeometry.Axial(new Size3(64, 64, 24), spacing);
        CtSeriesWriter.Write(new Volume<float>(geometry), Path.Combine(folder, "series"));
        return folder;
    }

    private static IReadOnlyList<string> GoodSeries(string folder)
    {
        var geometry = VolumeGeometry.Axial(new Size3(64, 64, 24), new Vec3(0.7, 0.7, 2.5), new Vec3(-22, -22, 100));
        var volume = new Volume<float>(geometry);
        for (var i = 0; i < volume.Voxels.Length; i++) volume.Voxels[i] = (i * 37 % 2000) - 1000;
        return CtSeriesWriter.Write(volume, folder).Order(StringComparer.Ordinal).ToList();
    }
}
