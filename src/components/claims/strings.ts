/**
 * The words of the claims ledger's page (/claims/) and of the lesson list of
 * answered claims (ClaimLinks.astro), kept beside them, and how a verdict is shown.
 */
export const CLAIM_STRINGS = {
  pageTitle: 'Claims of the source articles, checked',
  pageIntro:
    "This course began as five articles (in Chinese) about how Go programs are built and run. Many of their statements are right, some are outdated, and some are wrong. Here is each claim we have checked so far, grouped by article: the claim in the article's words and in English, what is true, and the lesson section where a runnable block proves it against the real toolchain.",
  claimsCount: (n: number) => `${n} claim${n === 1 ? '' : 's'} checked`,
  whereInArticle: 'Section',
  whatIsTrue: 'What is true',
  answeredIn: 'Answered in',
  proofLink: 'the block that shows it',
  answeredHeading: 'Claims this lesson answers',
  answeredIntro: 'Statements from the source articles that the blocks above check.',
  ledgerLink: 'All checked claims',
} as const;

/** "true", "false", "partly", "true until Go 1.9" as shown to readers. */
export function verdictLabel(verdict: string): string {
  if (verdict === 'true') return 'True';
  if (verdict === 'false') return 'False';
  if (verdict === 'partly') return 'Partly true';
  return verdict.replace(/^true/, 'True');
}
