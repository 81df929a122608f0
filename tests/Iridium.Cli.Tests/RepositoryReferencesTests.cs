using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Iridium.Cli.Tests;

/// <summary>
/// The repository stands on its own: no tracked file points at a path outside it (the contracts
/// the project was first written against), at a section of those contracts by number, or at an
/// issue of a tracker a clone does not have. What users and comments cite instead is
/// docs/reference/, and every docs/reference file cited must exist.
/// </summary>
public class RepositoryReferencesTests
{
    /// <summary>One kind of reference that does not belong in the repository.</summary>
    private sealed record Rule(string Why, Regex Pattern);

    // The patterns are written so that this file does not match them itself.
    private static readonly Rule[] Rules =
    [
        new("points outside the repository", new Regex(@"\.\./shared|shared[/]spec")),
        new("cites an issue number", new Regex(@"\b[Ii]ssues?\s*#?\d+|#\d+\s+(of|in|on)\s+the\s+tracker|\b[Tt]racker\s+#?\d+")),
        new("cites a section by number (name the file under docs/reference and a heading instead)", new Regex(@"\u00a7\s*\d")),
        // The contract files by name; only docs/reference's own files may be named, with their path.
        new("names a contract file that is not in the repository (cite docs/reference/FILE)",
            new Regex(@"(?<![\w/.-])(isa|assembly|runtime|processes|store|memorypack-wire-format)\.md\b")),
    ];

    private static readonly Regex ReferenceCitation = new(@"docs/reference/([\w.-]+\.md)");

    [FactNeedsGit]
    public void NoTrackedFileReferencesAnythingOutsideTheRepositoryOrAnIssueNumber()
    {
        var problems = new List<string>();
        foreach (var (path, lines) in TrackedTextFiles())
        {
            for (int i = 0; i < lines.Length; i++)
            {
                foreach (var rule in Rules)
                {
                    var match = rule.Pattern.Match(lines[i]);
                    if (match.Success && !IsAllowed(path, match.Value)) problems.Add($"{path}:{i + 1}: {rule.Why}: '{match.Value}'");
                }
            }
        }
        Assert.True(problems.Count == 0, $"{problems.Count} reference(s) to fix:\n" + string.Join('\n', problems));
    }

    [FactNeedsGit]
    public void EveryCitedReferenceFileExists()
    {
        string root = Repository.Root!;
        var problems = new List<string>();
        foreach (var (path, lines) in TrackedTextFiles())
        {
            for (int i = 0; i < lines.Length; i++)
            {
                foreach (Match match in ReferenceCitation.Matches(lines[i]))
                {
                    if (!File.Exists(Path.Combine(root, "docs", "reference", match.Groups[1].Value)))
                        problems.Add($"{path}:{i + 1}: cites {match.Value}, which does not exist");
                }
            }
        }
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void TheRulesCatchWhatTheyAreForAndLeaveOrdinaryTextAlone()
    {
        // Split so that this file does not itself hold what it looks for.
        string[] caught =
        [
            "// see ../" + "shared/" + "spec/isa.md",
            "(the limits of issue #" + "6)",
            "added with Issue " + "10, item 3",
            "issues" + " 10 and 11",
            "#12 of the " + "tracker",
            "// \u00a7" + "6.13: the shift byte",
            "// runtime" + ".md",
            "the wire format (memorypack-wire-format" + ".md)",
        ];
        string[] ignored =
        [
            "interrupted at pc=100 (DJMPE #92)",
            "load $0 #40",
            "see docs/reference/isa.md, \"Faults\"",
            "the issue is that the socket closes",
            "README.md and docs/cluster.md",
            "restore.md",
        ];
        foreach (string line in caught) Assert.True(Rules.Any(r => r.Pattern.IsMatch(line) && !IsAllowed("src/x.cs", r.Pattern.Match(line).Value)), $"not caught: {line}");
        foreach (string line in ignored) Assert.False(Rules.Any(r => r.Pattern.IsMatch(line)), $"caught by mistake: {line}");
        Assert.True(IsAllowed("docs/reference/README.md", "runtime" + ".md"));
        Assert.False(IsAllowed("docs/reference/README.md", "processes" + ".md"));
    }

    /// <summary>Inside docs/reference a file may name its neighbours without the path.</summary>
    private static bool IsAllowed(string path, string match)
        => path.StartsWith("docs/reference/", StringComparison.Ordinal)
           && match.EndsWith(".md", StringComparison.Ordinal)
           && Repository.Root is { } root
           && File.Exists(Path.Combine(root, "docs", "reference", match));

    /// <summary>Every tracked file that is text (no NUL byte), as lines.</summary>
    private static IEnumerable<(string Path, string[] Lines)> TrackedTextFiles()
    {
        string root = Repository.Root!;
        foreach (string path in Repository.TrackedFiles())
        {
            string full = Path.Combine(root, path);
            if (!File.Exists(full)) continue; // deleted in the work tree, not yet committed
            byte[] bytes = File.ReadAllBytes(full);
            if (Array.IndexOf(bytes, (byte)0) >= 0) continue;
            yield return (path, System.Text.Encoding.UTF8.GetString(bytes).Split('\n'));
        }
    }

    /// <summary>A fact that is skipped, saying why, where the repository's file list cannot be had.</summary>
    private sealed class FactNeedsGitAttribute : FactAttribute
    {
        public FactNeedsGitAttribute()
        {
            if (Repository.Root is null) Skip = "not inside a git checkout (no .git above the test binary): cannot list the tracked files";
            else if (!Repository.GitWorks) Skip = "git is not available: cannot list the tracked files";
        }
    }

    private static class Repository
    {
        /// <summary>The nearest directory above the test binary holding a .git entry (a directory, or a file in a worktree).</summary>
        public static string? Root { get; } = FindRoot();

        public static bool GitWorks { get; } = Root is not null && TryGit(Root, "--version", out _);

        public static string[] TrackedFiles()
        {
            if (!TryGit(Root!, "ls-files -z", out string output)) throw new InvalidOperationException("git ls-files failed");
            return output.Split('\0', StringSplitOptions.RemoveEmptyEntries);
        }

        private static string? FindRoot()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                string git = Path.Combine(dir.FullName, ".git");
                if (Directory.Exists(git) || File.Exists(git)) return dir.FullName;
            }
            return null;
        }

        private static bool TryGit(string root, string arguments, out string output)
        {
            output = "";
            try
            {
                using var git = Process.Start(new ProcessStartInfo("git", arguments)
                {
                    WorkingDirectory = root,
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    UseShellExecute = false,
                });
                if (git is null) return false;
                var stderr = git.StandardError.ReadToEndAsync();
                output = git.StandardOutput.ReadToEnd();
                git.WaitForExit();
                _ = stderr.Result;
                return git.ExitCode == 0;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                return false; // no git executable
            }
        }
    }
}
