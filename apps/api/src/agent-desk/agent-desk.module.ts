import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { KbModule } from '../kb/kb.module';
import { BotRepository } from '../repositories/bot.repository';
import { ConversationRepository } from '../repositories/conversation.repository';
import { AgentDeskController } from './agent-desk.controller';
import { AgentDeskService } from './agent-desk.service';

/** The agent console's endpoints (issue 9): the bot's agent desk behind sign-in, plus the conversation and suggestions. */
@Module({
  imports: [AuthModule, KbModule],
  controllers: [AgentDeskController],
  providers: [AgentDeskService, BotRepository, ConversationRepository],
})
export class AgentDeskModule {}
