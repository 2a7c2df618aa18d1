using OsteoML.Evaluation;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.Evaluation;

[TestClass]
public sealed class PredictionsCsvTests
{
    private const string Header = "id,split,site,bmd_true,bmd_pred,class_true,p_normal,p_osteopenia,p_osteoporosis";

    private static PredictionTable Parse(string text) => PredictionsCsv.Read(new StringReader(text), "predictions.csv");

    private static string ErrorOf(string text) => Assert.ThrowsExactly<InvalidDataException>(() => Parse(text)).Message;

    [TestMethod]
    public void Reads_the_generated_study_file_exactly()
    {
        var dir = TestPaths.NewTempDirectory();
        try
        {
            var (data, ids, splits, sites, scanners) = PredictionsFile.Study(seed: 12, n: 80);
            var table = PredictionTable.ReadCsv(PredictionsFile.Write(dir, seed: 12, n: 80));
            Assert.AreEqual(80, table.Count);
            Assert.IsTrue(table.HasScanner);
            Assert.IsFalse(table.PredictedClassGiven);
            for (var i = 0; i < 80; i++)
            {
                var row = table.Rows[i];
                Assert.AreEqual(ids[i], row.Id);
                Assert.AreEqual(splits[i], row.Split);
                Assert.AreEqual(sites[i], row.Site);
                Assert.AreEqual(scanners[i], row.Scanner);
                Assert.AreEqual(data.Reference![i], row.BmdTrue, "numbers round-trip exactly");
                Assert.AreEqual(data.Predicted![i], row.BmdPred);
                Assert.AreEqual(data.Truth![i], row.ClassTrue);
                CollectionAssert.AreEqual(data.Proba![i], row.Probabilities.ToArray());
                Assert.AreEqual(Array.IndexOf(data.Proba[i], data.Proba[i].Max()), row.ClassPred, "argmax when class_pred is absent");
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void Quotes_any_column_order_extra_columns_crlf_and_case_are_accepted()
    {
        var table = Parse(
            "Class_True,P_Osteoporosis,p_osteopenia,p_normal,BMD_pred,bmd_true,site,split,id,note,class_pred\r\n" +
            "Osteopenia,0.2,0.5,0.3,101.5,98.25,\"Site, North\",test,\"P\"\"1\",\"two\nlines\",normal\r\n" +
            "\r\n" +
            "normal,0,0.0001,0.9999,130,140,B,independent,P2,,normal\r\n");
        Assert.AreEqual(2, table.Count);
        var first = table.Rows[0];
        Assert.AreEqual("P\"1", first.Id);
        Assert.AreEqual("Site, North", first.Site);
        Assert.AreEqual(1, first.ClassTrue);
        Assert.AreEqual(0, first.ClassPred, "class_pred given is used as is");
        CollectionAssert.AreEqual(new[] { 0.3, 0.5, 0.2 }, first.Probabilities.ToArray());
        Assert.AreEqual(98.25, first.BmdTrue);
        Assert.AreEqual(101.5, first.BmdPred);
        Assert.IsTrue(table.PredictedClassGiven);
        Assert.IsFalse(table.HasScanner);
    }

    [TestMethod]
    public void Probabilities_may_miss_one_by_up_to_a_thousandth()
    {
        Assert.AreEqual(1, Parse($"{Header}\nP1,test,A,100,101,normal,0.5,0.3,0.2009\n").Count);
        StringAssert.Contains(ErrorOf($"{Header}\nP1,test,A,100,101,normal,0.5,0.3,0.2011\n"),
            "row 2, column p_normal+p_osteopenia+p_osteoporosis: probabilities sum to 1.0011, not 1 ± 0.001");
    }

    [TestMethod]
    [DataRow("id,split,site,bmd_true,bmd_pred,class_true,p_normal,p_osteoporosis\nP1,test,A,1,2,normal,0.5,0.5\n",
        "predictions.csv: row 1 (header): missing column p_osteopenia")]
    [DataRow("id,split,site,bmd_true,class_true,p_normal,p_osteoporosis\n",
        "predictions.csv: row 1 (header): missing columns bmd_pred, p_osteopenia")]
    [DataRow(Header + ",site\n", "predictions.csv: row 1 (header), column site: appears twice")]
    [DataRow(Header + "\nP1,test,A,100,abc,normal,0.5,0.3,0.2\n", "predictions.csv: row 2, column bmd_pred: 'abc' is not a number")]
    [DataRow(Header + "\nP1,test,A,100,1e500,normal,0.5,0.3,0.2\n", "predictions.csv: row 2, column bmd_pred: '1e500' is not a finite number")]
    [DataRow(Header + "\nP1,test,A,100,NaN,normal,0.5,0.3,0.2\n", "predictions.csv: row 2, column bmd_pred: 'NaN' is not a finite number")]
    [DataRow(Header + "\nP1,test,A,100,101,osteopinia,0.5,0.3,0.2\n", "predictions.csv: row 2, column class_true: unknown class 'osteopinia' (expected normal, osteopenia, osteoporosis)")]
    [DataRow(Header + "\nP1,test,A,100,101,normal,0.5,0.3,0.1\n", "predictions.csv: row 2, column p_normal+p_osteopenia+p_osteoporosis: probabilities sum to 0.9, not 1 ± 0.001")]
    [DataRow(Header + "\nP1,test,A,100,101,normal,1.2,-0.2,0\n", "predictions.csv: row 2, column p_normal: probability 1.2 is outside [0, 1]")]
    [DataRow(Header + "\nP1,test,,100,101,normal,0.5,0.3,0.2\n", "predictions.csv: row 2, column site: empty")]
    [DataRow(Header + "\nP1,test,A,100,101,normal,0.5,0.3\n", "predictions.csv: row 2: 8 fields, the header has 9")]
    [DataRow(Header + ",class_pred\nP1,test,A,100,101,normal,0.5,0.3,0.2,normal\nP2,test,A,100,101,normal,0.5,0.3,0.2,bad\n",
        "predictions.csv: row 3, column class_pred: unknown class 'bad' (expected normal, osteopenia, osteoporosis)")]
    [DataRow(Header + "\nP1,test,\"A,100,101,normal,0.5,0.3,0.2\n", "predictions.csv: row 2: a quoted field is not closed before the end of the file")]
    [DataRow("", "predictions.csv: empty file")]
    [DataRow(Header + "\n", "predictions.csv: no data rows after the header")]
    public void Bad_input_is_one_line_naming_row_and_column(string text, string expected)
    {
        var message = ErrorOf(text);
        StringAssert.StartsWith(message, expected);
        Assert.IsFalse(message.Contains('\n'), "one line");
    }

    [TestMethod]
    public void Every_row_is_checked_and_the_error_counts_the_other_bad_rows()
    {
        var message = ErrorOf($"{Header}\nP1,test,A,100,x,normal,0.5,0.3,0.2\nP2,test,A,100,101,normal,0.5,0.3,0.2\nP3,test,A,y,101,normal,0.5,0.3,0.2\nP4,test,A,100,101,what,0.5,0.3,0.2\n");
        Assert.AreEqual("predictions.csv: row 2, column bmd_pred: 'x' is not a number (and 2 more bad rows)", message);
    }

    [TestMethod]
    public void A_missing_file_is_named()
    {
        var path = Path.Combine(TestPaths.NewTempDirectory(), "nope.csv");
        var ex = Assert.ThrowsExactly<FileNotFoundException>(() => PredictionTable.ReadCsv(path));
        StringAssert.Contains(ex.Message, "nope.csv");
    }
}
