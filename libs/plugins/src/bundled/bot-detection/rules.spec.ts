import { BOT_RULES, botFamily } from './rules';
import { UserAgentVerdicts, Verdict } from './verdicts';

describe('bot-detection rules', () => {
  it.each([
    ['Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)', 'pingdom'],
    ['facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)', 'facebook'],
    ['Mozilla/5.0 (Windows NT 6.1) Google (+https://developers.google.com/+/web/snippet/)', 'google-plus-snippet'],
    ['aws-cli/2.13.5 Python/3.11.4 Linux/6.2.0', 'aws-s3-clients'],
    ['Boto3/1.28.0 Python/3.11.4', 'aws-s3-clients'],
    ['aws-sdk-dotnet-45/3.7.0', 'aws-s3-clients'],
    ['Mozilla/5.0 (X11; Linux x86_64) Chrome/90.0 Safari/537.36 PTST/210105.180', 'webpagetest'],
    ['Mozilla/5.0 (compatible; +http://example.org/Tailsweep-2.9)', 'slash-name-version'],
    ['Mozilla/5.0 (compatible; http://x.org/FooBot-3)', 'slash-name-version'],
    ['Mozilla/5.0 (compatible; http://x.org/Ant-Nutch-1.1)', 'slash-name-version'],
    ['DataparkSearch/4.47 (+http://dataparksearch.org/bot)', 'versioned-crawlers'],
    ['Y!J-BRW/1.0 (https://www.yahoo-help.jp/)', 'versioned-crawlers'],
    ['Mozilla/4.0 (compatible; MSIE 6.0b; Windows NT 5.0; MSIECrawler)', 'msie-crawler'],
    ['axios/1.6.2', 'http-libraries'],
    ['okhttp/4.9.3', 'http-libraries'],
    ['Go-http-client/1.1', 'http-libraries'],
    ['Python-urllib/3.11', 'http-libraries'],
    ['Apache-HttpClient/4.5.13 (Java/17.0.2)', 'http-libraries'],
    ['unirest-java/3.1.00', 'http-libraries'],
    ['Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', 'known-crawlers'],
    ['Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)', 'known-crawlers'],
    ['Twitterbot/1.0', 'versioned-crawlers'],
    ['Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)', 'known-crawlers'],
    ['Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)', 'known-crawlers'],
    ['WhatsApp/2.19.81 A', 'known-crawlers'],
    ['NING/1.0', 'known-crawlers'],
    ['Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)', 'known-crawlers'],
    ['MyOwnIndexer 2.1', 'generic-versioned'],
    ['Mozilla/5.0 MyArchiver/3', 'generic-versioned'],
    ['Mozilla/5.0 (compatible; Sogou web spider/4.0)', 'generic-versioned'],
    ['SpiderMonkeyFetch', 'spider-scrape-crawl'],
    ['SomeCRAWLER', 'spider-scrape-crawl'],
    ['my-scraper', 'spider-scrape-crawl'],
  ])('%s is a bot (%s)', (userAgent, family) => {
    expect(botFamily(userAgent)).toBe(family);
  });

  it.each([
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15',
    'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0',
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148',
    'curl/8.5.0',
    'python-requests/2.31.0',
    'HELLOWORLD/1.0',
    'PostmanRuntime/7.36.0',
    // "bot" needs a version after it (or a known name): a word merely containing it is not enough
    'Mozilla/5.0 CUBOT_X30 Build',
  ])('%s is not a bot', (userAgent) => {
    expect(botFamily(userAgent)).toBeNull();
  });

  it('compiles every rule once, at load', () => {
    expect(BOT_RULES.every((r) => r.pattern instanceof RegExp && !r.pattern.global)).toBe(true);
  });
});

describe('UserAgentVerdicts', () => {
  const verdicts = new UserAgentVerdicts([/^Googlebot/], [/evil/, /^HELLO/]);

  it('lets an allowed agent through even when it is a known bot', () => {
    expect(verdicts.verdict('Googlebot/2.1')).toBe(Verdict.Allowed);
  });

  it('refuses a denied agent that no rule knows', () => {
    expect(verdicts.verdict('HELLOWORLD/1.0')).toBe(Verdict.Denied);
  });

  it('refuses known bots and passes the rest', () => {
    expect(verdicts.verdict('axios/1.6.2')).toBe(Verdict.Bot);
    expect(verdicts.verdict('curl/8.5.0')).toBe(Verdict.Pass);
  });

  it('matches on the trimmed agent and answers again from its cache', () => {
    expect(verdicts.verdict('  HELLO there ')).toBe(Verdict.Denied);
    expect(verdicts.verdict('  HELLO there ')).toBe(Verdict.Denied);
  });
});
