// Kong's acme Admin API (kong/plugins/acme/api.lua): order or renew one host, renew all, list what is stored.
import { Body, Controller, Get, Inject, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { acme } from '@tollgate/plugins';
import { AcmeService } from './acme.service';
import { sanityCheck } from './sanity-check';

type Params = Record<string, unknown>;
/** The part of Express's response these handlers use: each answer has its own status, as Kong's. */
interface Response { status(code: number): { json(body: unknown): void; end(): void } }

/** lapis turns the string "true" into true: Kong's params read the same from JSON, forms and the query. */
const truthy = (v: unknown) => v === true || v === 'true';

/** Kong exits 404 without a body when no acme plugin is configured (nginx then sends its HTML page); the Admin API
 *  answers every missing thing with this JSON body instead, so clients can always parse a 4xx. */
const NO_PLUGIN = { message: 'Not found' };

@Controller('/acme')
export class AcmeController {
  constructor(@Inject(AcmeService) private readonly acme: AcmeService) {}

  @Post()
  async create(@Body() body: Params | undefined, @Query() query: Params, @Res() res: Response): Promise<void> {
    const params = { ...query, ...(body ?? {}) };
    const conf = this.acme.plugin();
    if (!conf) return void res.status(404).json(NO_PLUGIN);
    const host = params.host;
    if (!host || typeof host !== 'string') return void res.status(400).json({ message: 'host must be provided and containing a single domain' });
    // no port, so that the sanity check cannot be pointed at another service
    if (host.includes(':')) return void res.status(400).json({ message: 'port is not allowed in host' });
    if (truthy(params.test_http_challenge_flow)) {
      if (!acme.listedDomain(conf, host)) {
        return void res.status(400).json({ message: `problem found running sanity check for ${host}: host is not included in plugin config.domains` });
      }
      const problem = await sanityCheck(host);
      if (!problem) return void res.status(200).json({ message: `sanity test for host ${host} passed` });
      return void res.status(400).json({ message: `problem found running sanity check for ${host}: ${problem}` });
    }
    const err = await this.acme.update(conf, host);
    if (err) return void res.status(500).json({ message: err });
    res.status(201).json({ message: `certificate for host ${host} is created` });
  }

  @Patch()
  renew(@Res() res: Response): void {
    void this.acme.renewAll();
    res.status(202).json({ message: 'Renewal process started successfully' });
  }

  @Get('/certificates')
  async list(@Query() query: Params, @Res() res: Response): Promise<void> {
    const conf = this.acme.plugin();
    if (!conf) return void res.status(404).json(NO_PLUGIN);
    try {
      const data = await this.acme.certificates(conf, truthy(query.invalid_only));
      // an empty Lua table is encoded as an object by Kong's cjson
      res.status(200).json({ data: data.length ? data : {} });
    } catch (err) {
      res.status(500).json({ message: (err as Error).message });
    }
  }

  @Get('/certificates/:host')
  async one(@Param('host') host: string, @Res() res: Response): Promise<void> {
    const conf = this.acme.plugin();
    if (!conf) return void res.status(404).json(NO_PLUGIN);
    try {
      const data = await this.acme.certificate(conf, host);
      // (sic) Kong's message has no space before "not found"
      if (!data) return void res.status(404).json({ message: `Certificate for host ${host}not found in storage` });
      res.status(200).json({ data });
    } catch (err) {
      res.status(500).json({ message: (err as Error).message });
    }
  }
}
