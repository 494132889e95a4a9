import { Body, Controller, Get, HttpCode, Ip, Post, UseGuards } from '@nestjs/common';
import {
  ROLES,
  changePasswordRequestSchema,
  loginRequestSchema,
  type ChangePasswordRequest,
  type LoginRequest,
  type SessionResponse,
  type User,
} from '@warroom/contracts';
import { ZodValidationPipe } from '@warroom/nest-common';
import { AuthService } from './auth.service';
import { Allow, CurrentActor, PasswordChangeRoute, type ActorContext } from './decorators';
import { SessionAuthGuard } from './session-auth.guard';

/** Signing in, one's own password, and who one is. */
@Controller('api/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('login')
  @HttpCode(200)
  login(@Body(new ZodValidationPipe(loginRequestSchema)) body: LoginRequest, @Ip() ip: string): Promise<SessionResponse> {
    return this.auth.login(body, ip);
  }

  @Post('password')
  @HttpCode(200)
  @UseGuards(SessionAuthGuard)
  @Allow(...ROLES)
  @PasswordChangeRoute()
  changePassword(
    @CurrentActor() caller: ActorContext,
    @Body(new ZodValidationPipe(changePasswordRequestSchema)) body: ChangePasswordRequest,
    @Ip() ip: string,
  ): Promise<SessionResponse> {
    return this.auth.changePassword(caller, body, ip);
  }

  @Get('me')
  @UseGuards(SessionAuthGuard)
  @Allow(...ROLES)
  me(@CurrentActor() caller: ActorContext): User {
    return caller.user;
  }
}
