using OsteoML.Results;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.ScaleOut;

/// <summary>
/// The shard partition and where a worker's shard comes from: a disjoint cover of the studies that does not depend on
/// their order, the hash Python's hashlib computes, and the schedulers' environment variables; the database location
/// parser keeps passwords off the command line.
/// </summary>
[TestClass]
public sealed class ShardTests
{
    private static readonly string[] Uids = Enumerable.Range(0, 1000).Select(i => $"1.2.826.0.1.3680043.8.498.{i * 7919 % 100003}.{i}").ToArray();

    [TestMethod]
    public void Shards_are_a_disjoint_cover_and_do_not_depend_on_order_or_on_the_other_studies()
    {
        foreach (var count in new[] { 1, 2, 4, 7 })
        {
            var shards = Enumerable.Range(0, count).Select(i => new Shard(i, count)).ToList();
            foreach (var uid in Uids)
                Assert.AreEqual(1, shards.Count(s => s.Owns(uid)), $"{uid} in exactly one of {count} shards");
            var forward = shards.Select(s => Uids.Where(s.Owns).ToHashSet()).ToList();
            var shuffled = Uids.OrderBy(u => u.GetHashCode()).ToArray();
            var backward = shards.Select(s => shuffled.Reverse().Where(s.Owns).ToHashSet()).ToList();
            var half = shards.Select(s => Uids.Where((_, i) => i % 2 == 0).Where(s.Owns).ToHashSet()).ToList();
            for (var i = 0; i < count; i++)
            {
                Assert.IsTrue(forward[i].SetEquals(backward[i]), "folder order does not move a study");
                Assert.IsTrue(half[i].IsSubsetOf(forward[i]), "other studies do not move a study");
            }
            // Balanced within a few binomial SDs (the hash is uniform).
            var expected = Uids.Length / (double)count;
            foreach (var shard in forward)
                Assert.IsLessThan(5 * Math.Sqrt(expected) + 1, Math.Abs(shard.Count - expected));
        }
    }

    [TestMethod]
    public void The_shard_is_the_first_eight_bytes_of_SHA256_as_Python_computes_it()
    {
        var script = "import hashlib,sys\nfor k in sys.argv[1:]:\n  print(int.from_bytes(hashlib.sha256(k.encode()).digest()[:8],'big')%7)";
        var sample = Uids.Take(50).Append("abc").Append("ünïcode/folder").ToArray();
        var python = ExternalTool.Python(script, sample).EnsureSuccess("python3 hashlib").StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        CollectionAssert.AreEqual(python.Select(int.Parse).ToArray(), sample.Select(k => Shard.Of(k, 7)).ToArray());
    }

    [TestMethod]
    public void The_shard_comes_from_the_option_or_a_Kubernetes_or_Slurm_environment()
    {
        Dictionary<string, string> Env(params (string Key, string Value)[] pairs) => pairs.ToDictionary(p => p.Key, p => p.Value);
        Assert.AreEqual(new Shard(2, 4), ShardEnvironment.Resolve("2/4", null, Env()));
        Assert.AreEqual(new Shard(2, 4), ShardEnvironment.Resolve("2/4", 4, Env((ShardEnvironment.KubernetesIndex, "0"))), "the option wins");
        Assert.AreEqual(Shard.All, ShardEnvironment.Resolve(null, null, Env()));
        Assert.AreEqual(new Shard(3, 5), ShardEnvironment.Resolve(null, 5, Env((ShardEnvironment.KubernetesIndex, "3"))));
        Assert.AreEqual(new Shard(3, 5), ShardEnvironment.Resolve(null, null, Env((ShardEnvironment.KubernetesIndex, "3"), (ShardEnvironment.ShardCount, "5"))));
        Assert.AreEqual(new Shard(0, 8), ShardEnvironment.Resolve(null, null, Env((ShardEnvironment.SlurmTaskId, "1"), (ShardEnvironment.SlurmTaskMin, "1"), (ShardEnvironment.SlurmTaskCount, "8"))),
            "a 1-based array");
        Assert.AreEqual(new Shard(7, 8), ShardEnvironment.Resolve(null, null, Env((ShardEnvironment.SlurmTaskId, "7"), (ShardEnvironment.SlurmTaskCount, "8"))));

        foreach (var (shard, count, env, expected) in new (string?, int?, Dictionary<string, string>, string)[]
                 {
                     ("4/4", null, Env(), "i in 0..N-1"),
                     ("1/x", null, Env(), "expected i/N"),
                     ("1/4", 3, Env(), "disagree"),
                     (null, null, Env((ShardEnvironment.KubernetesIndex, "1")), "--shard-count"),
                     (null, 2, Env((ShardEnvironment.KubernetesIndex, "2")), "outside 0..1"),
                     (null, null, Env((ShardEnvironment.SlurmTaskId, "9"), (ShardEnvironment.SlurmTaskCount, "8")), "outside 0..7"),
                     (null, null, Env((ShardEnvironment.SlurmTaskId, "one")), "not a non-negative whole number"),
                     (null, 3, Env(), "without a shard index"),
                 })
        {
            var ex = Assert.ThrowsExactly<FormatException>(() => ShardEnvironment.Resolve(shard, count, env));
            StringAssert.Contains(ex.Message, expected);
        }
    }

    [TestMethod]
    public void A_database_location_parses_from_a_URL_or_keywords_and_never_holds_a_password()
    {
        var socket = ResultsDatabaseLocation.Parse("postgres:///results?host=/run/pg&port=5433&sslmode=disable");
        StringAssert.Contains(socket.ConnectionString, "Host=/run/pg");
        StringAssert.Contains(socket.ConnectionString, "Port=5433");
        StringAssert.Contains(socket.ConnectionString, "Database=results");
        var tcp = ResultsDatabaseLocation.Parse("postgresql://screen%40er@db.example.org:6543/osteoml");
        StringAssert.Contains(tcp.ConnectionString, "Username=screen@er");
        Assert.AreEqual("postgres://screen@er@db.example.org:6543/osteoml", tcp.Display);
        StringAssert.Contains(ResultsDatabaseLocation.Parse("host=/run/pg port=5433 dbname=r user=u").ConnectionString, "Username=u");

        foreach (var (text, expected) in new[]
                 {
                     ("postgres://u:hunter2@h/db", "holds a password"),
                     ("host=h password=hunter2", "holds a password"),
                     ("postgres://u@h/db?sslmod=require", "unknown parameter 'sslmod'"),
                     ("postgres://u@h:port/db", "port 'port' is not a number"),
                     ("just-a-name", "neither a postgres:// URL"),
                 })
        {
            var ex = Assert.ThrowsExactly<FormatException>(() => ResultsDatabaseLocation.Parse(text));
            StringAssert.Contains(ex.Message, expected);
            Assert.IsFalse(ex.Message.Contains("hunter2"), "the message never repeats the password");
        }
    }
}
