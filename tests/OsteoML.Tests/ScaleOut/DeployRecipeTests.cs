using System.Text.Json;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.ScaleOut;

/// <summary>
/// The deployment recipes, parsed rather than grepped: the Kubernetes manifests with a real YAML parser (Debian's
/// python3-yaml) and checked against the batch/v1 Job fields a sharded run depends on; the Slurm script with bash's parser.
/// No cluster runs here — see docs/scale-out.md for what ran on a real engine.
/// </summary>
[TestClass]
public sealed class DeployRecipeTests
{
    private static string Deploy(params string[] parts) => Path.Combine([TestPaths.RepoRoot, "deploy", .. parts]);

    private static JsonElement[] Documents(string file)
    {
        const string script = "import json,sys,yaml\nprint(json.dumps(list(yaml.safe_load_all(open(sys.argv[1])))))";
        var json = ExternalTool.Python(script, file).EnsureSuccess($"python3 yaml on {file}").StdOut;
        return JsonDocument.Parse(json).RootElement.EnumerateArray().ToArray();
    }

    [TestMethod]
    public void The_Kubernetes_manifest_is_an_Indexed_Job_with_one_shard_per_completion_and_the_password_from_a_Secret()
    {
        var job = Documents(Deploy("kubernetes", "osteoml-batch-job.yaml")).Single();
        Assert.AreEqual("batch/v1", job.GetProperty("apiVersion").GetString());
        Assert.AreEqual("Job", job.GetProperty("kind").GetString());
        var spec = job.GetProperty("spec");
        Assert.AreEqual("Indexed", spec.GetProperty("completionMode").GetString());
        var completions = spec.GetProperty("completions").GetInt32();
        var parallelism = spec.GetProperty("parallelism").GetInt32();
        Assert.IsTrue(completions >= 1 && parallelism is >= 1 && parallelism <= completions, $"completions {completions}, parallelism {parallelism}");
        var pod = spec.GetProperty("template").GetProperty("spec");
        CollectionAssert.Contains(new[] { "Never", "OnFailure" }, pod.GetProperty("restartPolicy").GetString());

        var container = pod.GetProperty("containers").EnumerateArray().Single();
        var command = container.GetProperty("command").EnumerateArray().Concat(container.GetProperty("args").EnumerateArray()).Select(e => e.GetString()!).ToList();
        CollectionAssert.Contains(command, "batch");
        var count = command.IndexOf("--shard-count");
        Assert.IsGreaterThanOrEqualTo(0, count, "the pods are told how many shards there are (Kubernetes gives only the index)");
        Assert.AreEqual(completions, int.Parse(command[count + 1]), "--shard-count equals completions: every shard has a pod");
        CollectionAssert.DoesNotContain(command, "--shard", "the index comes from JOB_COMPLETION_INDEX, not a fixed --shard");
        var results = command[command.IndexOf("--results") + 1];
        StringAssert.StartsWith(results, "postgres://");
        Assert.IsFalse(results.Split("://")[1].Split('@')[0].Contains(':'), "no password in the URL");

        var password = container.GetProperty("env").EnumerateArray().Single(e => e.GetProperty("name").GetString() == "PGPASSWORD");
        var secret = password.GetProperty("valueFrom").GetProperty("secretKeyRef");
        var secretDocument = Documents(Deploy("kubernetes", "osteoml-db-secret.yaml")).Single();
        Assert.AreEqual("Secret", secretDocument.GetProperty("kind").GetString());
        Assert.AreEqual(secretDocument.GetProperty("metadata").GetProperty("name").GetString(), secret.GetProperty("name").GetString());
        Assert.IsTrue(secretDocument.GetProperty("stringData").TryGetProperty(secret.GetProperty("key").GetString()!, out _), "the Secret has the key the Job reads");

        var mounts = container.GetProperty("volumeMounts").EnumerateArray().Select(m => m.GetProperty("name").GetString()).ToHashSet();
        var volumes = pod.GetProperty("volumes").EnumerateArray().Select(v => v.GetProperty("name").GetString()).ToHashSet();
        Assert.IsTrue(mounts.SetEquals(volumes), "every mount has its volume");
        Assert.AreEqual("ConfigMap", Documents(Deploy("kubernetes", "osteoml-bundle-configmap.yaml")).Single().GetProperty("kind").GetString());
    }

    [TestMethod]
    public void The_Slurm_script_parses_and_takes_its_shard_from_the_array()
    {
        var script = Deploy("slurm", "osteoml-array.sbatch");
        ExternalTool.Run("bash", ["-n", script]).EnsureSuccess("bash -n");
        var text = File.ReadAllText(script);
        StringAssert.Contains(text, " batch ");
        StringAssert.Contains(text, "--results");
        Assert.IsFalse(text.Contains("--shard "), "the shard comes from SLURM_ARRAY_TASK_ID inside osteoml");
        // Without its arguments the script stops with its usage line before running anything.
        var bare = ExternalTool.Run("bash", [script]);
        Assert.AreNotEqual(0, bare.ExitCode);
        StringAssert.Contains(bare.StdErr, "usage: sbatch --array");
    }
}
