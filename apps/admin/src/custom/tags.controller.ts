import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { TagsService, type TagPage } from './tags.service';

@Controller('/tags')
export class TagsController {
  constructor(@Inject(TagsService) private readonly tags: TagsService) {}

  @Get()
  all(@Query() query: Record<string, unknown>): Promise<TagPage> {
    return this.tags.page(null, query);
  }

  @Get('/:tag')
  byTag(@Param('tag') tag: string, @Query() query: Record<string, unknown>): Promise<TagPage> {
    return this.tags.page(tag, query);
  }
}
