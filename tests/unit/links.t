#!/usr/bin/perl
# Every relative link of the project's Markdown files resolves: the file
# or directory it names exists, and a #fragment names a heading of the
# Markdown file it points into (GitHub's anchors: the heading's text in
# lower case, punctuation but - and _ dropped, spaces as -, a repeated
# heading numbered -1, -2 ...).  Links with a scheme (https:, mailto:)
# are not followed.  Text in code blocks and code spans is not a link.
# Test files named in the text (tests/e2e/NN-name.t, or NN-name.t alone)
# exist, so that a renumbered test leaves no stale name behind; and each
# guide in docs/ says at its top ("Walked by:") which test walks it.
#   prove tests/unit/links.t           README.md, docs/*.md, tests/README.md,
#                                      bench/README.md
#   perl tests/unit/links.t FILE...    only those files
use strict;
use warnings;
use FindBin;
use File::Basename qw(dirname);
use File::Spec;
use Test::More;

my $repo = File::Spec->rel2abs("$FindBin::Bin/../..");
my @files = @ARGV ? map { File::Spec->rel2abs($_) } @ARGV
    : ("$repo/README.md", glob("$repo/docs/*.md"), "$repo/tests/README.md",
	"$repo/bench/README.md");

# slurp(PATH): the file's text, or undef when it cannot be read.
sub slurp {
	my ($path) = @_;
	open my $fh, '<:encoding(UTF-8)', $path or return undef;
	local $/;
	return scalar <$fh>;
}

# prose(TEXT): TEXT without fenced code blocks and code spans, which
# hold no links and no headings.
sub prose {
	my ($text) = @_;
	my (@out, $fence);
	for my $line (split /\n/, $text) {
		if ($line =~ /^\s*(```|~~~)/) {
			$fence = $fence ? undef : $1;
			push @out, '';
			next;
		}
		push @out, $fence ? '' : $line;
	}
	my $out = join("\n", @out) . "\n";
	$out =~ s/`[^`\n]*`/``/g;
	return $out;
}

# anchors(TEXT): the set of anchors of TEXT's headings, as GitHub makes
# them.
sub anchors {
	my ($text) = @_;
	my (%seen, %anchor, $fence);
	for my $line (split /\n/, $text) {
		if ($line =~ /^\s*(```|~~~)/) { $fence = !$fence; next }
		next if $fence || $line !~ /^#{1,6}\s+(.*?)\s*#*\s*$/;
		my $h = $1;
		$h =~ s/\[([^\]]*)\]\([^)]*\)/$1/g;	# a link: its text
		$h =~ s/[`*]//g;
		$h = lc $h;
		$h =~ s/[^\w\- ]//g;
		$h =~ s/ /-/g;
		my $a = $seen{$h}++ ? "$h-" . ($seen{$h} - 1) : $h;
		$anchor{$a} = 1;
	}
	return \%anchor;
}

my %anchors;	# path => { anchor => 1 }
for my $file (@files) {
	my $text = slurp($file);
	my $name = File::Spec->abs2rel($file, $repo);
	ok(defined $text, "$name: readable") or next;
	my $prose = prose($text);
	my @targets;
	push @targets, $1 while $prose =~ /\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g;
	push @targets, $1 while $prose =~ /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/mg;
	for my $t (@targets) {
		next if $t =~ /^[a-z][a-z0-9+.-]*:/i;	# https:, mailto: ...
		my ($path, $frag) = $t =~ /^([^#]*)(?:#(.*))?$/;
		my $dest = $path eq '' ? $file
		    : File::Spec->rel2abs($path, dirname($file));
		if (!-e $dest) {
			ok(0, "$name: $t: no such file");
			next;
		}
		if (!defined $frag) {
			ok(1, "$name: $t");
			next;
		}
		if ($dest !~ /\.md$/ || -d $dest) {
			ok(0, "$name: $t: an anchor into a file that is not Markdown");
			next;
		}
		$anchors{$dest} //= anchors(slurp($dest) // '');
		ok($anchors{$dest}{$frag}, "$name: $t" .
		    ($anchors{$dest}{$frag} ? '' : ': no such heading'));
	}
	my %named;
	$named{$1} = 1 while $text =~ /(?<![\w*-])(\d\d-[a-z0-9]+(?:-[a-z0-9]+)*\.t)\b/g;
	for my $t (sort keys %named) {
		ok(-f "$repo/tests/e2e/$t", "$name: names tests/e2e/$t" .
		    (-f "$repo/tests/e2e/$t" ? '' : ', which does not exist'));
	}
	if ($name =~ m{^docs/}) {
		my ($top) = $text =~ /\A(.*?\n\n.*?)\n\n/s;
		like($top // '', qr/^Walked by: .*\b\d\d-[\w-]+\.t\b/ms,
		    "$name: says at its top which test walks it");
	}
}
done_testing;
