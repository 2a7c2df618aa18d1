using System.IO.Compression;
using System.Xml.Linq;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.Export;

/// <summary>
/// <c>dotnet pack</c> of the repository: the libraries' packages with their metadata, and a fresh project that
/// restores them from the local folder (as a notebook's <c>#i "nuget: …"</c> + <c>#r "nuget: …"</c> does) and uses
/// them on a trained bundle.
/// </summary>
[TestClass]
public sealed class PackageTests
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    public static readonly string[] Libraries =
        ["OsteoML.AutoTune", "OsteoML.Calibration", "OsteoML.Dicom", "OsteoML.Domain", "OsteoML.Evaluation", "OsteoML.Export", "OsteoML.Imaging", "OsteoML.Inference", "OsteoML.Interactive", "OsteoML.Pipelines", "OsteoML.Results", "OsteoML.Synthesis", "OsteoML.Validation"];

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void PackagesCarryTheirMetadataAndRestoreFromALocalFolder()
    {
        var root = TestPaths.NewTempDirectory("osteoml-pack");
        var feed = Path.Combine(root, "feed");
        // The build that runs these tests has already compiled every library; pack what it built, writing only under root.
        DotnetProject.Run(TestPaths.RepoRoot, ["pack", "OsteoML.sln", "--no-build", "--no-restore", "-c", Configuration, "-o", feed,
            $"-p:NuspecOutputPath={Path.Combine(root, "nuspec")}/"], TimeSpan.FromMinutes(4));
        var packages = Directory.GetFiles(feed, "*.nupkg").Select(Path.GetFileName).Order().ToArray();
        CollectionAssert.AreEqual(Libraries.Select(l => $"{l}.0.1.0.nupkg").ToArray(), packages, "the libraries, not the command line, OsteoML.Models, tests or benchmarks");

        foreach (var library in Libraries)
        {
            using var package = ZipFile.OpenRead(Path.Combine(feed, $"{library}.0.1.0.nupkg"));
            using var nuspecStream = package.GetEntry($"{library}.nuspec")!.Open();
            var metadata = XDocument.Load(nuspecStream).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
            string? Field(string name) => metadata.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value;
            var csproj = XDocument.Load(Path.Combine(TestPaths.RepoRoot, "src", library, library + ".csproj"));
            Assert.AreEqual(library, Field("id"));
            Assert.AreEqual(csproj.Descendants("Description").Single().Value, Field("description"), library);
            Assert.AreEqual("MIT", Field("license"), library);
            Assert.AreEqual("README.md", Field("readme"), library);
            Assert.IsNotNull(package.GetEntry("README.md"), $"{library}: the readme file");
            Assert.IsNotNull(package.GetEntry($"lib/net10.0/{library}.dll"), library);
            var repository = metadata.Elements().Single(e => e.Name.LocalName == "repository");
            Assert.AreEqual("git", repository.Attribute("type")?.Value, library);
            StringAssert.Matches(repository.Attribute("commit")?.Value ?? "", new System.Text.RegularExpressions.Regex("^[0-9a-f]{40}$"), $"{library}: the commit it was built from");
        }

        // A project outside the repository restores OsteoML.Export (and through it the other libraries) from the folder.
        // Its packages folder is its own; the machine's is only a fallback, so no stale 0.1.0 is picked up from it.
        var app = Path.Combine(root, "app");
        Directory.CreateDirectory(app);
        var globalPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p ? p
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config><add key="globalPackagesFolder" value="{Path.Combine(root, "packages")}" /></config>
              <fallbackPackageFolders><add key="machine" value="{globalPackages}" /></fallbackPackageFolders>
              <packageSources><add key="osteoml-local" value="{feed}" /></packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(app, "app.csproj"), """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <NoWarn>NU1603</NoWarn>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="OsteoML.Export" Version="0.1.0" />
                <PackageReference Include="Microsoft.ML.OnnxRuntime.Gpu" Version="1.31.0" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), """
            var heads = OsteoML.Export.BundleHeads.FromBundle(OsteoML.Pipelines.Bundles.ModelBundle.Load(args[0]));
            Console.WriteLine($"{heads.Bmd.Family.Name} {heads.Class.Family.Name} {heads.Layout.Length}");
            """);
        var output = DotnetProject.Run(app, ["run", "--", ExportTestData.Instance.BundleDirectory], TimeSpan.FromMinutes(4));
        var heads = OsteoML.Export.BundleHeads.FromBundle(ExportTestData.Instance.Bundle);
        Assert.AreEqual($"{heads.Bmd.Family.Name} {heads.Class.Family.Name} {heads.Layout.Length}", output.Trim());
        Assert.IsTrue(Directory.Exists(Path.Combine(root, "packages", "osteoml.export", "0.1.0")), "OsteoML.Export came from the local folder");
    }
}
